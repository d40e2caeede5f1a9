"""The reporting-confidence dashboard from the staff pages, in Chromium: a person signed in uses
their session (no token pasted) under the staff pages' own header and navigation, the pages
link it for the roles it serves, and anyone else
signed in gets a refusal page naming those roles; signed out, it still takes a bearer token."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
from playwright.async_api import Locator, Page, Route, expect

from domain.report import day_words
from tests.api_support import seed
from tests.browser_support import accessible, sign_in_as, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.fixtures.api import bearer, token
from tests.workflow_support import next_working_day, running_worker, skip_to_as_of

SIGNED_OUT = "Sign in to load the review."
LOADING = "Loading the review…"


async def _loading_until_the_review_arrives(page: Page, base: str, day: date) -> Locator:
    """Signed in, the review box says it is loading from the first paint until the review
    comes (held back here), never "Sign in to load the review." (the walk of 8 December read
    that, signed in, over an empty table); the review's status line, once let through."""
    served = await page.request.get(f"{base}/dashboard")
    assert LOADING in await served.text() and SIGNED_OUT not in await served.text()
    held = asyncio.Event()

    async def hold(route: Route) -> None:
        await held.wait()
        await route.continue_()

    await page.route("**/reviews/ack-review-*", hold)
    await page.goto("about:blank")  # a new fragment alone does not load the page again
    await page.goto(f"{base}/dashboard#date={day}")
    status = page.locator("#review-status")
    await expect(status).to_have_text(LOADING)
    await expect(page.locator("#review")).to_have_attribute("aria-busy", "true")
    await expect(page.locator("#exceptions")).to_have_text(LOADING)
    await expect(page.locator("main")).not_to_contain_text(SIGNED_OUT)
    held.set()  # let through (the route stays: later reviews pass it at once)
    await expect(page.locator("#review")).to_have_attribute("aria-busy", "false", timeout=20_000)
    return status


async def test_the_dashboard_uses_the_staff_pages_session(
    own_env, sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    day = await next_working_day(own_env)
    await seed(sessions, day)
    await skip_to_as_of(own_env, day)
    async with (
        running_worker(own_env, sessions) as queue,
        signed_in_page(chromium, sqlite_url, "E-Analyst", env=own_env, queue=queue) as (
            base,
            page,
        ),
    ):
        async with httpx.AsyncClient(base_url=base) as http:
            started = await http.post(f"/reviews/acknowledgment/{day}", headers=bearer("E-ADMIN"))
            assert started.status_code == 202, started.text
        nav = page.get_by_role("navigation", name="Main")
        await nav.get_by_role("link", name="Dashboard").click()
        await page.wait_for_url(f"{base}/dashboard")
        # The staff pages' one header and navigation (api.web.navigation), this page current;
        # not the token bar of API clients (nothing to paste).
        here = nav.get_by_role("link", name="Dashboard")
        await expect(here).to_have_attribute("aria-current", "page")
        for link in ("My work", "Reviews", "Registers", "Analytics"):
            await expect(nav.get_by_role("link", name=link)).to_be_visible()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        await expect(page.get_by_role("link", name="Near-miss governance")).to_be_visible()
        heading = page.get_by_role("heading", level=1)
        await expect(heading).to_have_text("Reporting-confidence dashboard")
        assert await page.locator("#token, #who, #token-bar").count() == 0

        status = await _loading_until_the_review_arrives(page, base, day)
        await expect(status).to_have_text(
            f"Daily acknowledgment review of {day_words(day)}: generated", timeout=20_000
        )
        await expect(page.locator("#review-counts")).to_contain_text("critical: 1")
        mark = page.get_by_role("link", name="Open the review to mark it reviewed")
        await expect(mark).to_have_attribute("href", f"/app/reviews/ack-review-{day}")

        # Opened on a day whose review is not generated yet (the dashboard opens on today's
        # date, before the morning's review): the latest one, said so, not an error with its ID.
        later = day + timedelta(days=2)
        await page.goto(f"{base}/dashboard#date={later}")
        await page.reload()
        await expect(status).to_have_text(
            f"No review of {day_words(later)} yet; the latest is shown. "
            f"Daily acknowledgment review of {day_words(day)}: generated",
            timeout=20_000,
        )
        await expect(page.get_by_label("review date")).to_have_value(str(day))
        # A date the person picks is that date's review, or a sentence that there is none.
        await page.get_by_label("review date").fill(str(later))
        await expect(status).to_have_text(
            f"No daily review of {day_words(later)} has been generated.", timeout=20_000
        )
        await page.get_by_label("review date").fill(str(day))
        await expect(page.locator("#mark-reviewed")).to_be_hidden()
        await accessible(page, "dashboard-signed-in")

        # A person the dashboard does not serve: no link, and a page saying who may use it.
        await page.goto(f"{base}/app/sign-in")
        await sign_in_as(page, base, "W-100", "/app")
        assert await nav.get_by_role("link", name="Dashboard").count() == 0
        refused = await page.goto(f"{base}/dashboard")
        assert refused is not None and refused.status == 403
        await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        await expect(page.get_by_role("alert")).to_have_text(
            "The reporting-confidence dashboard is for the inspector or a governance role."
        )
        await accessible(page, "dashboard-refused")

        # Signed out: the token path of API clients, and a way to the staff pages' sign-in.
        await page.get_by_role("button", name="Sign out").click()
        await page.goto(f"{base}/dashboard#date={day}")
        await page.reload()
        await expect(page.get_by_role("link", name="Sign in to the staff pages")).to_be_visible()
        await expect(page.locator("#review-status")).to_have_text(SIGNED_OUT)  # really
        await expect(page.locator("#who")).to_have_text("not signed in")
        await page.fill("#token", token("E-INSPECTOR"))
        await page.get_by_role("button", name="Use token").click()
        await expect(page.locator("#who")).to_have_text("E-Inspector (inspector)", timeout=15_000)
        await expect(page.locator("#review-counts")).to_contain_text("critical: 1")
