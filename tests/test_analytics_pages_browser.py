"""The analytics endpoints opened in a real browser are pages, one layout for all: the staff
navigation's Analytics link, the range form, the pages linked to each other, a table per review
(linked, its as-of time in provider local time) with a row per group, the figures the JSON has;
axe-core finds no serious or critical violation at a ward laptop's width and a phone's, and a
JSON client still gets the JSON. SQLite, reviews generated in the store (no Temporal needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from playwright.async_api import Page, expect

from domain.acknowledgment import AckPolicy
from store.acknowledgment import generate_review
from store.db import transaction
from tests.analytics_seeds import (
    october_closures_reviewed_then_confirmed_and_reopened as seed_closures,
)
from tests.analytics_seeds import two_learning_cycles as seed_learning
from tests.analytics_seeds import workforce as seed_workforce
from tests.browser_support import LAPTOP, PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, load_reports, report_rows, staff_rows

RANGE = "from=2026-02-01&to=2026-11-30"


async def _seed_triage(sessions) -> None:  # type: ignore[no-untyped-def]
    """The daily review of 26 Nov: NM-T1 critical and NM-T2 within tolerance, both MED-01
    (1 of 2 under-triaged)."""
    as_of = datetime(2026, 11, 26, 7, tzinfo=UTC)
    reports = [
        report_rows("NM-T1", submitted_at=as_of - timedelta(days=4), ack_minutes=None),
        report_rows("NM-T2", submitted_at=as_of - timedelta(hours=3), ack_minutes=20),
    ]
    await load_reports(sessions, reports)
    async with transaction(sessions) as session:
        await generate_review(
            session, "ack-review-2026-11-26", date(2026, 11, 26), as_of, AckPolicy()
        )


async def test_every_analytics_endpoint_is_a_page_in_the_browser(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await seed_learning(sessions)
    await seed_closures(sessions, reviewer="near_miss_governance_supervisor")
    await _seed_triage(sessions)
    async with signed_in_page(chromium, sqlite_url, "E-Inspector") as (base, page):
        main_nav = page.get_by_role("navigation", name="Main")
        await main_nav.get_by_role("link", name="Analytics").click()
        await page.wait_for_url(f"{base}/analytics/acknowledgment?from=*")
        await page.get_by_label("From").fill("2026-02-01")
        await page.get_by_label("To").fill("2026-11-30")
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url(f"{base}/analytics/acknowledgment?{RANGE}&group=service_line")
        await _page(page, "Acknowledgment and triage by review date", "HC-NORTH")
        await expect(page.get_by_role("link", name="Review of Thu 26 Nov 2026")).to_be_visible()

        pages = page.get_by_role("navigation", name="Analytics pages")
        await pages.get_by_role("link", name="Under-triage by category").click()
        await page.wait_for_url(f"{base}/analytics/triage?{RANGE}&group=service_line")
        await _page(page, "Under-triage by near-miss category", "HC-NORTH · MED-01")
        row = page.get_by_role("row", name="HC-NORTH · MED-01")
        await expect(row.get_by_role("cell").nth(1)).to_have_text("50% (1 of 2)")
        review = page.get_by_role("link", name="Review of Thu 26 Nov 2026")
        await expect(review).to_have_attribute("href", "/app/reviews/ack-review-2026-11-26")
        await expect(page.get_by_role("table")).to_contain_text("(as of 07:00)")

        await pages.get_by_role("link", name="Learning visibility").click()
        await page.wait_for_url(f"{base}/analytics/learning?{RANGE}&group=service_line")
        await _page(page, "Learning visibility by audit cycle", "DN-CITY")
        first = page.get_by_role("link", name="Audit of the cycle from Mon 16 Feb 2026")
        await expect(first).to_have_attribute("href", "/app/reviews/learning-audit-2026-02-16")
        north = page.get_by_role("row", name="HC-NORTH").first
        await expect(north.get_by_role("cell").nth(5)).to_have_text("67% (2 of 3)")
        facts = page.locator("dl.facts")
        await expect(facts).to_contain_text("Closed reports summed over the audits6")
        await expect(facts).to_contain_text("Shared learning50% (1 of 2)")

        await pages.get_by_role("link", name="Closure credibility").click()
        await page.wait_for_url(f"{base}/analytics/closure?{RANGE}&group=service_line")
        await _page(page, "Closure credibility by month", "SL-A")
        month = page.get_by_role("link", name="Review of October 2026")
        await expect(month).to_have_attribute("href", "/app/reviews/closure-review-2026-10")
        await expect(page.get_by_role("table")).to_contain_text("(as of 07:00)")  # 07:00 GMT
        a = page.get_by_role("row", name="SL-A")
        await expect(a.get_by_role("cell").nth(5)).to_have_text("67% (2 of 3)")
        by_role = a.get_by_role("cell").nth(9)  # the role by its name, in view at 1280 px
        await expect(by_role).to_have_text("Near-Miss Governance Supervisor: 2")
        await page.set_viewport_size({"width": 1280, "height": LAPTOP["height"]})
        wrap = page.locator(".table-wrap")
        sizes = await wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
        assert sizes[0] <= sizes[1], f"the closure table overflows its box at 1280 px: {sizes}"
        await page.set_viewport_size(LAPTOP)
        await page.get_by_label("Per", exact=True).select_option("risk_domain")
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url(f"{base}/analytics/closure?{RANGE}&group=risk_domain")
        await expect(page.get_by_role("rowheader", name="medication")).to_be_visible()
        await expect(pages.get_by_role("link", name="Learning visibility")).to_have_attribute(
            "href", f"/analytics/learning?{RANGE}&group=risk_domain"
        )

        for path in ("triage", "learning", "closure"):
            listed = await page.request.get(
                f"{base}/analytics/{path}?{RANGE}", headers={"Accept": "application/json"}
            )
            assert listed.ok and isinstance((await listed.json())["rows"], list), path


async def _page(page: Page, title: str, rowheader: str) -> None:
    """The page's heading, the staff navigation, the page current among the analytics pages, a
    row per group; axe clean at 1280 px and at 390 px, where nothing scrolls sideways."""
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.locator("main")).not_to_contain_text("Example")  # the reviews' own names
    await expect(page.get_by_role("navigation", name="Main")).to_contain_text("My work")
    current = page.get_by_role("navigation", name="Analytics pages").locator("[aria-current]")
    await expect(current).to_have_count(1)
    table = page.get_by_role("table")
    await expect(table.get_by_role("rowheader", name=rowheader).first).to_be_visible()
    name = page.url.split("/analytics/")[1].split("?")[0]
    await page.set_viewport_size({"width": 1280, "height": LAPTOP["height"]})
    await accessible(page, f"analytics-{name}-1280")
    await page.set_viewport_size(PHONE)
    await accessible(page, f"analytics-{name}-phone")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the {name} page scrolls sideways on a phone ({width} px)"
    await page.set_viewport_size(LAPTOP)


async def test_workforce_and_series_are_pages_in_the_browser(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await seed_workforce(sessions)
    months = "from=2026-10-01&to=2026-11-30&group=service_line"
    async with signed_in_page(chromium, sqlite_url, "E-Inspector") as (base, page):
        await page.goto(f"{base}/analytics/workforce?{months}")
        title = "Reporting, speaking-up confidence and leavers by period"
        await _page(page, title, "HC-NORTH")
        october = page.locator("tbody").filter(has_text="October 2026")
        north = october.get_by_role("row", name="HC-NORTH")
        await expect(north.get_by_role("cell").nth(0)).to_have_text("4")  # reports
        await expect(north.get_by_role("cell").nth(4)).to_have_text("3.0")  # mean score
        await expect(north.get_by_role("cell").nth(7)).to_have_text("25% (1 of 4)")
        await expect(page.locator("dl.facts")).to_contain_text("Reports5")
        await page.get_by_label("Period", exact=True).select_option("week")
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url(f"{base}/analytics/workforce?{months}&period=week")
        await expect(page.get_by_role("table")).to_contain_text("Mon 5 Oct 2026 to Sun 11 Oct")

        pages = page.get_by_role("navigation", name="Analytics pages")
        await pages.get_by_role("link", name="Trends per period").click()
        await page.wait_for_url(f"{base}/analytics/series?{months}")
        await _page(page, "Trends per period", "HC-NORTH")
        await page.get_by_label("Per", exact=True).select_option("risk_domain")
        await page.get_by_role("button", name="Show").click()
        await expect(
            page.get_by_role("heading", name="Not available per risk domain")
        ).to_be_visible()

        for path in ("workforce", "series"):
            listed = await page.request.get(
                f"{base}/analytics/{path}?{months}", headers={"Accept": "application/json"}
            )
            assert listed.ok and listed.headers["content-type"] == "application/json", path
            assert "period" in await listed.json(), path


async def test_a_refused_range_is_the_form_with_the_reason(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    """To before From, or a From that is not a date: the page's form, the reason beside the
    field (named by it), status 422; a JSON client keeps the API's 422 body."""
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    async with signed_in_page(chromium, sqlite_url, "E-Inspector") as (base, page):
        backwards = "from=2026-11-30&to=2026-02-01&group=service_line"
        response = await page.goto(f"{base}/analytics/triage?{backwards}")
        assert response is not None and response.status == 422
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Under-triage by near-miss category"
        )
        to = page.get_by_label("To", exact=True)
        await expect(to).to_have_attribute("aria-invalid", "true")
        await expect(to).to_have_accessible_description("Before the From date.")
        await expect(page.get_by_role("alert")).to_contain_text("Before the From date.")
        await accessible(page, "analytics-refused-1280")
        await page.set_viewport_size(PHONE)
        await accessible(page, "analytics-refused-phone")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        await page.set_viewport_size(LAPTOP)
        await to.fill("2026-11-30")
        await page.get_by_label("From", exact=True).fill("2026-11-01")
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url(f"{base}/analytics/triage?from=2026-11-01&to=2026-11-30*")
        await expect(page.get_by_role("heading", name="Over the range")).to_be_visible()

        response = await page.goto(f"{base}/analytics/series?from=2026-13-45&to=2026-11-30")
        assert response is not None and response.status == 422
        await expect(page.get_by_label("From", exact=True)).to_have_accessible_description(
            "Please enter a date (“2026-13-45” is not one)."
        )
        await expect(page.get_by_label("Period", exact=True)).to_have_value("week")

        for query in (backwards, "from=2026-13-45&to=2026-11-30"):
            refused = await page.request.get(
                f"{base}/analytics/triage?{query}", headers={"Accept": "application/json"}
            )
            assert refused.status == 422 and (await refused.json())["errors"], query
