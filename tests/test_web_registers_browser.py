"""The registers pages in a real browser for the inspector: reached from My work's Evidence box,
a head hash opened from the keyboard, the entries at a phone's width without sideways scrolling;
axe-core finds no serious or critical violation."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser_support import PHONE, accessible, another_page, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, staff_rows
from tests.register_support import REGISTER, append_page_entries


async def test_registers_in_the_browser(sqlite_url, sessions_for, chromium) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    hashes = await append_page_entries(sessions)
    async with signed_in_page(chromium, sqlite_url, "E-Inspector") as (base, page):
        await page.locator("#evidence").get_by_role("link", name="Registers").click()
        await page.wait_for_url(f"{base}/app/registers")
        table = page.get_by_role("table", name="Registers and their verification")
        await expect(table).to_contain_text("Verified 3 entries")
        full = table.get_by_text(hashes[-1], exact=True)
        await expect(full).to_be_hidden()
        await table.locator("summary").first.focus()
        await page.keyboard.press("Enter")  # a summary opens from the keyboard
        await expect(full).to_be_visible()
        await accessible(page, "registers")

        phone = await another_page(page, base, "E-Inspector", f"/app/registers/{REGISTER}", PHONE)
        entries = phone.get_by_role("table", name="Entries 1 to 3 of 3")
        await expect(entries.locator("tbody tr")).to_have_count(3)
        await expect(phone.get_by_label("Verify command")).to_contain_text(
            f"nearmiss registers verify {REGISTER} --head 3:{hashes[-1]}:"
        )
        await accessible(phone, "register-phone")
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the register page scrolls sideways on a phone ({width} px)"
