"""The dashboard shows only what the signed-in role may read (walk defect: the inspector's page
asked for /cases and /escalations, got 403, and said both "Open breaches could not be read (403)"
and "No open breaches", under empty "My open steps" and "Case timeline" headings)."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser_support import chromium as chromium  # the fixture
from tests.browser_support import signed_in_page
from tests.factories import load, staff_rows
from tests.fixtures.api import token


async def _dashboard(first: Page, base: str, who: str) -> tuple[Page, list[tuple[str, int]]]:
    """A new page of the dashboard with WHO's token, and its requests' (path, status)."""
    browser = first.context.browser
    assert browser is not None
    page = await browser.new_page()
    answers: list[tuple[str, int]] = []
    page.on("response", lambda r: answers.append((r.url.removeprefix(base), r.status)))
    await page.goto(f"{base}/dashboard#token={token(who)}")
    await expect(page.locator("#who")).not_to_have_text("", timeout=15_000)
    await page.wait_for_load_state("networkidle")
    return page, answers


async def test_each_role_sees_only_the_panels_it_may_read(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    async with signed_in_page(chromium, sqlite_url, None) as (base, first):
        page, answers = await _dashboard(first, base, "E-INSPECTOR")
        refused = [(path, status) for path, status in answers if status == 403]
        assert refused == [], refused
        note = page.locator("#case-reads")
        await expect(note).to_contain_text("are for the governance roles")
        for panel in ("#my-steps", "#breaches", "#timeline-section"):
            await expect(page.locator(panel)).to_be_hidden()
        await expect(page.get_by_text("No open breaches")).to_have_count(0)

        page, answers = await _dashboard(first, base, "E-SUPERVISOR")
        assert any(path.startswith("/escalations") and s == 200 for path, s in answers), answers
        await expect(page.locator("#case-reads")).to_be_hidden()
        await expect(page.locator("#breaches")).to_be_visible()
        await expect(page.locator("#timeline")).to_contain_text("Choose a case")
