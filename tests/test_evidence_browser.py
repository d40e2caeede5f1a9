"""The evidence pack's HTML in a real browser (Debian Chromium driven by Playwright), served by
uvicorn on 127.0.0.1 over the seeded set: what an inspector sees, at two widths, and printing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import async_playwright, expect

from api.app import create_app
from tests.browser_support import CHROMIUM_ARGS as ARGS
from tests.browser_support import accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.evidence_support import verified_in_full
from tests.factories import load, staff_rows
from tests.fixtures.api import bearer
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import make_test_settings
from tests.ops_support import serve_app
from tests.pack_seed import seed_learning_closure, seed_weekly
from tests.pack_support import RANGE, evidence_clock


@asynccontextmanager
async def serve(database_url: str) -> AsyncIterator[str]:
    """The API on a free loopback port with the tests' fixed clock; yields its base URL."""
    app = create_app(make_test_settings(database_url, temporal_address=f"127.0.0.1:{free_port()}"))
    app.state.clock = evidence_clock
    async with serve_app(app) as base:
        yield base


async def test_inspector_reads_the_evidence_pack_in_a_browser(sqlite_url, sessions_for, chromium):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await seed_learning_closure(session)
    query = "&".join(f"{k}={v}" for k, v in RANGE.items())
    async with serve(sqlite_url) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            for width in (1024, 1400):
                page = await browser.new_page(
                    viewport={"width": width, "height": 900},
                    extra_http_headers=bearer("E-INSPECTOR"),
                )
                await page.goto(f"{base}/evidence?{query}&format=html")
                await expect(page.get_by_role("heading", level=1)).to_have_text(
                    "Inspection evidence pack"
                )
                headings = await page.get_by_role("heading", level=2).all_inner_texts()
                assert (
                    headings[:2]
                    == [
                        "About this evidence pack",
                        "Daily acknowledgment and triage review — reliability",
                    ]
                    and headings[-1] == "Register verification"
                )
                example = page.locator("#example-acknowledgment")
                await expect(example.locator("dl.figures").first).to_contain_text("Reviews run4")
                await expect(
                    example.get_by_role("img", name="Escalations by level")
                ).to_be_visible()
                assert await example.locator("rect.bar").count() == 4
                registers = page.locator("#registers table").first.locator("tbody tr")
                await expect(registers).to_have_count(3)
                # never verified in full: the pack says so (it runs none, and without Temporal
                # here it can start none); then verified in full, as the nightly run does
                first = "never: none could be started (Temporal unavailable)"
                again = "ok: entry 1 by the full verification"
                await expect(registers.first).to_contain_text(first if width == 1024 else again)
                await page.get_by_role("link", name="Register verification").click()
                assert page.url.endswith("#registers")
                overflow = await page.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, f"horizontal scroll of {overflow}px at {width}px"
                await accessible(page, f"evidence-{width}")  # axe-core; var/screenshots/
                await page.emulate_media(media="print")
                await expect(page.get_by_role("navigation", name="Sections")).to_be_hidden()
                await page.close()
                await verified_in_full(sessions)
        finally:
            await browser.close()


async def test_a_signed_out_browser_is_asked_to_sign_in_and_comes_back(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    """The evidence pack's ``?format=html`` opened without a session: a page saying to sign
    in (401) with a link that signs in and returns to the pack; an API client gets JSON."""
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    query = "&".join(f"{k}={v}" for k, v in RANGE.items())
    path = f"/evidence?{query}&format=html"
    async with signed_in_page(chromium, sqlite_url, None) as (base, page):
        response = await page.goto(f"{base}{path}")
        assert response is not None and response.status == 401
        await expect(page.get_by_role("heading", level=1)).to_have_text("Please sign in")
        await accessible(page, "evidence-signed-out")
        api = await page.request.get(f"{base}{path}", headers={"Accept": "application/json"})
        assert api.status == 401 and "detail" in await api.json()
        await page.get_by_role("link", name="Sign in", exact=True).click()
        await page.get_by_role("button", name="Sign in as E-Inspector", exact=True).click()
        await page.wait_for_url(f"{base}{path}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Inspection evidence pack")
