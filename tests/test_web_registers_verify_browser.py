"""The registers page's verification states in a real browser for the inspector: verified as
entries were added (no full verification yet); a full verification started from the keyboard runs
as a Temporal workflow (real time-skipping server), the page saying since when (provider local
time) while no worker has taken it, a second click joining the same run; once a worker runs it,
the outcome (passed); an old entry altered since found only by the next full one (failed, and it
stays); what each status means, at a phone's width; axe-core finds no serious or critical
violation."""

from __future__ import annotations

from playwright.async_api import Page, expect
from sqlalchemy import update

from api.web.render import local_time
from domain import names
from store.db import transaction
from store.tables import RegisterEntry
from tests.browser_support import PHONE, accessible, another_page, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, staff_rows
from tests.register_support import REGISTER, append_page_entries
from tests.workflow_support import running_worker, wait_for

BUTTON = "Verify Near-miss reliability case register in full"
LONDON = "Europe/London"


async def _shows(page: Page, selector: str, text: str) -> bool:
    """Reload until the element at SELECTOR holds TEXT and the run is over (it ends in the
    background, a moment after it records its outcome)."""
    await page.reload()
    over = await page.locator("#full-running").count() == 0
    return over and text in (await page.locator(selector).inner_text())


async def test_verification_states_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, chromium, task_queue
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await append_page_entries(sessions)
    async with signed_in_page(
        chromium, sqlite_url, "E-Inspector", "/app/registers", env=own_env, queue=task_queue
    ) as (base, page):
        table = page.get_by_role("table", name="Registers and their verification")
        status = table.get_by_role("cell").filter(has_text="Verified 3 entries")
        await expect(status).to_contain_text("entries 1 to 3 as they were added")
        await expect(table).to_contain_text("None yet")
        meanings = page.get_by_role("region", name="What each status means")
        await expect(meanings).to_contain_text("found only by the next full verification")
        await expect(meanings).to_contain_text("It runs in the background")
        await accessible(page, "registers-verified-on-view")

        # No worker yet: the click starts the workflow and returns; nothing verified inline.
        before = await own_env.get_current_time()
        await page.get_by_role("button", name=BUTTON).focus()
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{base}/app/registers/{REGISTER}?verifying=1")
        after = await own_env.get_current_time()
        await expect(page.get_by_role("status")).to_contain_text("under way in the background")
        running = page.locator("#full-running")
        text = await running.inner_text()
        assert text in {
            f"Full verification running since {local_time(at, LONDON, with_year=True)}; reload "
            "this page for "
            "its outcome"
            for at in (before, after)
        }, text  # the API's clock at the click, provider local time
        # its own line, not run on after the last outcome (walk: "…: passed, 5 entries Full …")
        assert await page.locator("#full-verification #full-running").count() == 0
        await expect(page.locator("#full-verification")).to_contain_text("None yet")
        await accessible(page, "register-full-running")
        handle = own_env.client.get_workflow_handle(names.register_verification_id(REGISTER))
        run_id = (await handle.describe()).run_id
        await page.get_by_role("button", name="Verify this register in full").click()
        await expect(running).to_have_text(text)  # a second click joins the run under way
        assert (await handle.describe()).run_id == run_id

        async with running_worker(own_env, sessions, task_queue=task_queue):
            await wait_for(lambda: _shows(page, "#full-verification", ": passed, 3 entries"))
            await expect(page.locator("#verification")).to_contain_text(
                "entries 1 to 3 in the last full verification, "
            )
            await accessible(page, "register-full-passed")

            async with transaction(sessions) as session:  # history edited behind our back
                await session.execute(
                    update(RegisterEntry).where(RegisterEntry.seq == 1).values(payload={"n": 7})
                )
            await page.goto(f"{base}/app/registers")
            await expect(status).to_be_visible()  # old entries are not re-read on view
            await page.get_by_role("button", name=BUTTON).click()
            # the click navigates; reloading before it lands detaches the page (CI, stop 25)
            await page.wait_for_url(f"{base}/app/registers/{REGISTER}?verifying=1")
            await wait_for(lambda: _shows(page, "#verification", "Failed at entry 1"))
        failed = page.locator("#verification")
        await expect(failed).to_contain_text("Failed at entry 1: payload does not match")
        await expect(failed).to_contain_text("found by the full verification")
        await expect(page.locator("#full-verification")).to_contain_text(": failed at entry 1")

        phone = await another_page(page, base, "E-Inspector", "/app/registers", PHONE)
        cell = phone.get_by_role("table", name="Registers and their verification")
        await expect(cell).to_contain_text("Failed at entry 1")  # it stays failed
        await accessible(phone, "registers-failed-phone")
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the registers page scrolls sideways on a phone ({width} px)"
