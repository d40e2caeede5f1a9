"""A care worker's empty My work on a phone (the walk of 8 December) in plain words: what can
come to them there (a question about a closed report of theirs, a plan they are named to carry
out), no governance jargon, and where their reports are."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser_support import PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, staff_rows

PHONE_PAGE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


async def test_an_empty_my_work_says_in_plain_words_what_can_come(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with signed_in_page(chromium, sqlite_url, "W-100", "/app", **PHONE_PAGE) as (
        _base,
        page,
    ):
        main = page.locator("main")
        await expect(main.locator("#nothing")).to_have_text("Nothing is waiting for you.")
        for jargon in ("governance", "pathway", "case step", "role"):
            await expect(main).not_to_contain_text(jargon)
        await expect(main).to_contain_text(
            "a question when a near miss you reported has been closed (is it resolved for you?)"
        )
        await expect(main).to_contain_text(
            "a plan to put things right when you are named as the person responsible for it"
        )
        await main.get_by_role("link", name="My reports").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("My reports")
        await accessible(page, "my-reports-from-my-work")
