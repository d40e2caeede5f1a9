"""The daily review in a real browser: the classified list filtered, an exception's sources side
by side, and the analyst marking it reviewed; on a phone the counts come first as links, the
weakest reports first in one short row each, 25 at a time with "Show more"; the acknowledgment
analytics opened in the browser are a page; axe-core finds no serious or critical violation
(at a ward laptop's width and a phone's)."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Page, expect

from tests.api_support import CRITICAL
from tests.browser_support import (
    LAPTOP,
    PHONE,
    accessible,
    another_page,
    signed_in_page,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load_reports, report_rows
from tests.web_support import SPLIT, seed_with_exception
from tests.workflow_support import (
    local_as_of,
    next_working_day,
    running_worker,
    skip_to_as_of,
    wait_for,
)

# Thirty reports within tolerance whose references sort before the critical one's
MANY = [f"NM-A-{n:02d}" for n in range(1, 31)]


async def test_review_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        api.app.state.clock = own_env.get_current_time
        day = await next_working_day(own_env)
        await skip_to_as_of(own_env, day)  # a review may not start before its as-of instant
        await seed_with_exception(sessions, day)
        at = local_as_of(day) - timedelta(days=2)
        fine = [report_rows(r, submitted_at=at, ack_minutes=30, status="triaged") for r in MANY]
        await load_reports(sessions, fine)
        started = await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")
        assert started.status_code in (200, 202), started.text
        rid = started.json()["review_id"]

        async def generated() -> bool:
            return (await api.get(f"/reviews/{rid}", "E-ANALYST")).status_code == 200

        await wait_for(generated)
        path = f"/app/reviews/{rid}"
        async with signed_in_page(
            chromium, sqlite_url, "E-Analyst", path, env=own_env, queue=queue
        ) as (base, page):
            exceptions = page.get_by_role("region", name="Exceptions (not reconciled)")
            await expect(exceptions).to_contain_text(SPLIT)
            await expect(exceptions).to_contain_text("HC-SOUTH (manager response tracker)")
            await accessible(page, "review-exceptions")

            await page.get_by_label("Classification").select_option("critical")
            await page.get_by_role("button", name="Filter").click()
            await expect(page.locator("main")).to_contain_text("1 report match")
            await page.get_by_role("button", name="Mark reviewed").click()
            await expect(page.get_by_role("status")).to_contain_text("Marked reviewed")
            await expect(page.locator("main")).to_contain_text("reviewed by E-Analyst")
            await expect(page.get_by_role("button", name="Mark reviewed")).to_have_count(0)

            phone = await another_page(page, base, "E-Analyst", path, PHONE)
            await accessible(phone, "review-phone")
            width = await phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the review page scrolls sideways on a phone ({width} px)"
            await _exceptions_collapsed(phone)
            await _weakest_first_in_short_rows(phone)
            await page.set_viewport_size({"width": 1280, "height": LAPTOP["height"]})
            await accessible(page, "review-1280")
            await _acknowledgment_analytics_as_a_page(page, base, str(day))
            await page.set_viewport_size(PHONE)
            await accessible(page, "analytics-acknowledgment-phone")


async def _exceptions_collapsed(phone: Page) -> None:
    """At 390 px each exception is one summary line (its reference, service line and reasons);
    its sources side by side open from the keyboard."""
    section = phone.get_by_role("region", name="Exceptions (not reconciled)")
    summary = section.locator("summary", has_text=SPLIT)
    await expect(summary).to_contain_text("Service line disagrees with manager response tracker")
    sources = section.get_by_role("table", name=f"Sources of {SPLIT}")
    await expect(sources).to_be_hidden()
    height = await section.evaluate("s => s.getBoundingClientRect().height")
    assert height <= 300, f"the exceptions take {height} px on a phone"
    await summary.focus()
    await phone.keyboard.press("Enter")
    await expect(sources).to_be_visible()
    await expect(sources).to_contain_text("HC-SOUTH (manager response tracker)")
    await accessible(phone, "review-exception-open-phone")


async def _weakest_first_in_short_rows(phone: Page) -> None:
    """At 390 px: the counts up top as links, the critical report first, one short row per
    report, 25 at first; "Show 9 more" (from the keyboard) shows the rest, the first new one in
    view; a count's link filters the list."""
    counts = phone.get_by_role("navigation", name="Counts (each shows those reports)")
    everything = counts.get_by_role("link", name="All 34")
    await expect(everything).to_have_attribute("aria-current", "page")
    rows = phone.locator("table.rows tbody tr:not(.group)")
    await expect(rows).to_have_count(25)
    await expect(rows.first).to_contain_text(CRITICAL)
    await expect(phone.get_by_role("rowheader", name="Critical")).to_be_visible()
    heights = await rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) <= 110, f"a report takes more than a short row on a phone: {heights}"
    more = phone.get_by_role("link", name="Show 9 more")
    await more.focus()
    await phone.keyboard.press("Enter")
    await expect(rows).to_have_count(34)
    await expect(phone.locator("#item-26")).to_be_in_viewport()
    await accessible(phone, "review-phone-more")
    await counts.get_by_role("link", name="Critical 1").click()
    await expect(rows).to_have_count(1)
    await expect(phone.locator("main")).to_contain_text("1 report match")


async def _acknowledgment_analytics_as_a_page(page: Page, base: str, day: str) -> None:
    """``/analytics/acknowledgment`` opened in the browser: headings, a table per review date
    and service line, the pages' navigation; a JSON client still gets the JSON."""
    await page.goto(f"{base}/analytics/acknowledgment?from={day}&to={day}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Acknowledgment and triage by review date"
    )
    await expect(page.get_by_role("navigation", name="Main")).to_contain_text("My work")
    table = page.get_by_role("table")
    await expect(table.get_by_role("rowheader", name="HC-NORTH")).to_be_visible()
    await expect(table.get_by_role("link", name="Review of")).to_have_attribute(
        "href", f"/app/reviews/ack-review-{day}"
    )
    await expect(table).to_contain_text("(as of 07:00)")  # the review's as-of, provider local
    await accessible(page, "analytics-acknowledgment")
    listed = await page.request.get(
        f"{base}/analytics/acknowledgment?from={day}&to={day}",
        headers={"Accept": "application/json"},
    )
    assert listed.ok and isinstance(await listed.json(), list)
