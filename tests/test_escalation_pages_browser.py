"""The dashboard's open breaches a page at a time, in Debian Chromium on a phone's width: 50 to
a page, a labelled "next" link reached and followed from the keyboard, the next page continuing
where the first ended (none twice, none missed), a link back, and no serious axe violation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import async_playwright, expect

from store.db import transaction
from store.tables import Breach
from tests.browser_support import CHROMIUM_ARGS, PHONE, accessible
from tests.browser_support import chromium as chromium  # the fixture
from tests.dashboard_support import serve
from tests.factories import load, staff_rows
from tests.fixtures.api import token

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
OPEN = 63  # one full page of 50 and a second of 13


async def test_open_breaches_page_by_a_keyboard_link_on_a_phone(
    temporal_env, sqlite_url, sessions_for, chromium
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        session.add_all(
            Breach(case_id=f"c-{n:03d}", step="step:triage-attribution", deadline=AT, level=1,
                   escalated_at=AT + timedelta(minutes=n))
            for n in range(OPEN)
        )  # fmt: skip
        session.add(Breach(case_id="c-done", step="step:triage-attribution", deadline=AT,
                           level=1, escalated_at=AT, resolved_at=AT))  # fmt: skip
    async with (
        serve(sqlite_url, temporal_env.client, "escalation-pages") as base,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=PHONE)
            await page.goto(f"{base}/dashboard#token={token('E-BOARD')}")
            rows = page.locator("#escalations tr")
            await expect(rows).to_have_count(50, timeout=15_000)
            first = await rows.locator("td:first-child").all_inner_texts()
            assert first == [f"c-{n:03d}" for n in range(50)]
            await expect(page.locator("#escalations-range")).to_have_text(
                "Open breaches 1 to 50, first escalated first; more follow."
            )
            nav = page.get_by_role("navigation", name="Pages of open breaches")
            back = nav.get_by_role("link", name="Back to the first escalated")
            await expect(back).to_be_hidden()
            following = nav.get_by_role("link", name="Next 50 open breaches, escalated later")
            await expect(following).to_be_visible()
            box = await following.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            assert box["height"] >= 44  # a finger's target
            size = await following.evaluate("(a) => getComputedStyle(a).fontSize")
            assert float(size.removesuffix("px")) >= 16
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            await accessible(page, "dashboard-escalations-phone")

            for _ in range(60):  # from the keyboard: Tab until the link has focus, then Enter
                await page.keyboard.press("Tab")
                if await following.evaluate("(a) => a === document.activeElement"):
                    break
            else:
                raise AssertionError("the next-page link is never reached with Tab")
            await page.keyboard.press("Enter")
            await expect(page.locator("#escalations-range")).to_have_text(
                f"Open breaches 51 to {OPEN}, first escalated first; that is all of them."
            )
            await expect(page.locator("#escalations-range")).to_be_focused()
            rest = await rows.locator("td:first-child").all_inner_texts()
            assert rest == [f"c-{n:03d}" for n in range(50, OPEN)]  # none twice, none missed
            await expect(following).to_be_hidden()
            await back.focus()
            await page.keyboard.press("Enter")
            await expect(page.locator("#escalations-range")).to_contain_text("1 to 50")
            await expect(rows.first).to_contain_text("c-000")
        finally:
            await browser.close()
