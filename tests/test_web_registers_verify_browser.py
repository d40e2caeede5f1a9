"""The registers page's verification states in a real browser for the inspector: verified as
entries were added (no full verification yet), a full verification started from the keyboard
(passed, in provider local time), an old entry altered since found only by the next full one
(failed, and it stays), what each status means, at a phone's width; axe-core finds no serious or
critical violation."""

from __future__ import annotations

from playwright.async_api import expect
from sqlalchemy import update

from store.db import transaction
from store.tables import RegisterEntry
from tests.browser_support import PHONE, accessible, another_page, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, staff_rows
from tests.register_support import REGISTER, append_page_entries

BUTTON = "Verify Near-miss reliability case register in full"


async def test_verification_states_in_the_browser(sqlite_url, sessions_for, chromium) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await append_page_entries(sessions)
    async with signed_in_page(chromium, sqlite_url, "E-Inspector", "/app/registers") as (
        base,
        page,
    ):
        table = page.get_by_role("table", name="Registers and their verification")
        status = table.get_by_role("cell").filter(has_text="Verified 3 entries")
        await expect(status).to_contain_text("entries 1 to 3 as they were added")
        await expect(table).to_contain_text("None yet")
        meanings = page.get_by_role("region", name="What each status means")
        await expect(meanings).to_contain_text("found only by the next full verification")
        await accessible(page, "registers-verified-on-view")

        await page.get_by_role("button", name=BUTTON).focus()
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{base}/app/registers/{REGISTER}?verified=1")
        await expect(page.get_by_role("status")).to_contain_text("Full verification finished")
        full = page.locator("#full-verification")
        await expect(full).to_contain_text(": passed, 3 entries")
        await expect(page.locator("#verification")).to_contain_text(
            "entries 1 to 3 in the full verification"
        )
        await accessible(page, "register-full-passed")

        async with transaction(sessions) as session:  # history edited behind our back
            await session.execute(
                update(RegisterEntry).where(RegisterEntry.seq == 1).values(payload={"n": 7})
            )
        await page.goto(f"{base}/app/registers")
        await expect(status).to_be_visible()  # old entries are not re-read on view
        await page.get_by_role("button", name=BUTTON).click()
        failed = page.locator("#verification")
        await expect(failed).to_contain_text("Failed at entry 1: payload does not match")
        await expect(failed).to_contain_text("found by the full verification")
        await expect(full).to_contain_text(": failed at entry 1")

        phone = await another_page(page, base, "E-Inspector", "/app/registers", PHONE)
        cell = phone.get_by_role("table", name="Registers and their verification")
        await expect(cell).to_contain_text("Failed at entry 1")  # it stays failed
        await accessible(phone, "registers-failed-phone")
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the registers page scrolls sideways on a phone ({width} px)"
