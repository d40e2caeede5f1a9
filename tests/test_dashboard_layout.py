"""The dashboard's Trends at 1024, 1400 and 1920 px in Debian Chromium: the four trend blocks
never overlap or spill out of their section, the page never scrolls sideways, and the time-axis
charts (ten, each with its table per week) show one bar per week of the default range
("current reviews"). The screenshots land in var/screenshots/dashboard-trends-WIDTH.png."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from playwright.async_api import async_playwright, expect

from domain.analytics import periods
from domain.report import day_words
from tests.browser_support import CHROMIUM_ARGS, SCREENSHOTS, accessible
from tests.browser_support import chromium as chromium  # the fixture
from tests.dashboard_support import (
    CITY,
    bar_titles,
    bars,
    open_every_table,
    open_trends,
    serve,
    trends_browser,
    trends_page,
    week_cells,
)
from tests.factories import load, staff_rows
from tests.fixtures.api import token

__all__ = ["chromium"]  # the fixture, shared with the dashboard test

BOXES = """() => [...document.querySelectorAll('.trends > div')].map((e) => {
  const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


CHARTS = BOXES.replace(".trends > div", ".over-time figure")


def default_from(today: date) -> date:
    """The page's "current reviews" start: the first day of the month the latest closure review
    covers (the previous month, or the one before until the 5th), and at least 35 days back."""
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if today.day <= 5:
        month = (month - timedelta(days=1)).replace(day=1)
    return min(month, today - timedelta(days=35))


async def test_default_range_reaches_each_current_review(
    own_env, sqlite_url, sessions_for, chromium
):
    """The page's own "current reviews" range on fixed days (the browser's clock). By hand: on
    Saturday 2 January 2027 December's closure review has not run (Monday 4th), so November's
    is current: from 1 November. On 7 December 2026: November's, from 1 November; the learning
    audit of the cycle of 23 November runs on 7 December, and the one before it (9 November) is
    current until then: 35 days back is 2 November."""
    days = {date(2027, 1, 2): date(2026, 11, 1), date(2026, 12, 7): date(2026, 11, 1),
            date(2027, 3, 31): date(2027, 2, 1), date(2027, 3, 3): date(2027, 1, 1),
            date(2027, 1, 26): date(2026, 12, 1)}  # fmt: skip
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    async with (
        serve(sqlite_url, own_env.client, "dashboard-range") as base,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for day, start in days.items():
            assert default_from(day) == start  # the layout test's copy of the rule
            page = await browser.new_page()
            await page.clock.set_fixed_time(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
            await page.goto(f"{base}/dashboard#token={token('E-INSPECTOR')}")
            await expect(page.locator("#trends-range-label")).to_have_text(
                f"{day_words(start)} to {day_words(day)}", timeout=15_000
            )
            await page.close()
        await browser.close()


def overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def overlapping(boxes: list[list[float]]) -> list[tuple[list[float], list[float]]]:
    """Every pair of the boxes (left, top, right, bottom) that overlap by more than a pixel."""
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if overlaps(a, b)]


async def test_trends_layout_holds_at_three_widths(own_env, sqlite_url, sessions_for, chromium):
    browse = trends_browser(own_env, sessions_for, sqlite_url, "dashboard-layout", chromium)
    async with browse as (base, browser, today):
        weeks = len(periods(default_from(today), today, "week"))
        for width in (1024, 1400, 1920):
            page, _ = await open_trends(browser, base, width)
            await expect(page.locator("#trends")).to_be_visible(timeout=15_000)
            await expect(page.locator("#trend-learning tr")).not_to_have_count(0)
            await expect(page.locator("#trends-range-label")).to_have_text(
                f"{day_words(default_from(today))} to {day_words(today)}"
            )
            # The current learning audit and closure review are in the default range.
            await expect(page.locator("#trend-learning tr", has_text="HC-NORTH")).to_be_visible()
            await expect(page.locator("#trend-closure tr", has_text="HC-NORTH")).to_be_visible()
            chart = page.get_by_role("img", name="Reports per head per week")
            await expect(chart.locator("rect.chart-bar")).to_have_count(weeks)
            hours = page.get_by_role("img", name="Median hours per week")
            await expect(hours.locator("rect.chart-bar")).to_have_count(2 * weeks)
            for name, bars in (("Speaking-up confidence", 1), ("Learning made visible", 4),
                               ("Closure credibility", 3), ("Threshold breaches", 2),
                               ("Closures confirmed and reopened", 2),
                               ("Doubtful and repeated doubtful closures", 3),
                               ("Leavers", 2)):  # fmt: skip
                chart = page.get_by_role("img", name=f"{name} per week")
                await expect(chart.locator("rect.chart-bar")).to_have_count(bars * weeks)
            # One category (MED-01) classified in the range: one row of cells, one per week.
            grid = page.get_by_role("img", name="Under-triage by category per week")
            await expect(grid.locator("rect.chart-cell")).to_have_count(weeks)
            boxes = await page.evaluate(BOXES)
            assert len(boxes) == 4
            charts = await page.evaluate(CHARTS)
            assert len(charts) == 10
            assert overlapping(charts) == [], width
            assert overlapping(boxes) == [], width
            section = await page.locator("#trends").bounding_box()
            assert section is not None
            assert all(b[2] <= section["x"] + section["width"] + 1 for b in boxes), width
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.locator("#trends").screenshot(
                path=str(SCREENSHOTS / f"dashboard-trends-{width}.png")
            )
            spill = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert spill <= 0, f"{spill}px sideways scroll at {width}px"
            # Every chart's table open: the charts still hold their grid and the page its width.
            summaries = page.locator("details.period-table > summary")
            await expect(summaries).to_have_count(10)
            for i in range(10):
                await summaries.nth(i).click()
            await expect(page.locator("details.period-table[open] table")).to_have_count(10)
            charts = await page.evaluate(CHARTS)
            assert overlapping(charts) == [], ("tables open", width)
            assert all(c[2] <= section["x"] + section["width"] + 1 for c in charts), width
            spill = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert spill <= 0, f"{spill}px sideways scroll at {width}px with the tables open"
            await page.close()


async def test_series_split_by_group_and_month(own_env, sqlite_url, sessions_for, chromium):
    """The time axis per group ("Show") and per month; the closure bars carry the counts and
    the Wilson interval (seed: C1 and C2 credible, C3 failed, all HC-NORTH, closed in one week);
    axe-core finds nothing serious on the page."""
    opened = trends_page(own_env, sessions_for, sqlite_url, "dashboard-series", chromium, 1400)
    async with opened as (page, today):
        show = page.locator("#series-show")
        await expect(show.locator("option")).to_contain_text(["all groups", CITY, "HC-NORTH"])
        titles = bar_titles(page, "Closure credibility per week")
        # 2 of 3: Wilson 95% [0.2077, 0.9385]; 1 of 3: [0.0615, 0.7923].
        await expect(titles.filter(has_text="credible: 67% (2/3; 95% CI 21–94%)")).to_have_count(1)
        await expect(titles.filter(has_text="failed: 33% (1/3; 95% CI 6–79%)")).to_have_count(1)
        # Today's daily review classed 4 reports, 3 of them emerging or critical (HC-NORTH 1 of
        # 2, CITY 2 of 2), all category MED-01: Wilson 95% of 3 of 4 [0.3006, 0.9544]; of 1 of 2
        # [0.0945, 0.9055]. Closures C1-C3: confirmed 2 of 3, C3 reopened (1 of 3).
        breaches = page.get_by_role("img", name="Threshold breaches per week").locator("title")
        said = "threshold breaches (emerging or critical): 75% (3/4; 95% CI 30–95%)"
        await expect(breaches.filter(has_text=said)).to_have_count(1)
        grid = page.get_by_role("img", name="Under-triage by category per week")
        cell = grid.locator("rect.chart-cell title", has_text="MED-01: 75% (3/4; 95% CI 30–95%)")
        await expect(cell).to_have_count(1)
        await expect(grid.locator("text", has_text="3/4")).to_have_count(1)
        follow = page.get_by_role("img", name="Closures confirmed and reopened per week")
        for said in ("employee-confirmed: 67% (2/3; 95% CI 21–94%)",
                     "reopened within 30 days: 33% (1/3; 95% CI 6–79%)"):  # fmt: skip
            await expect(follow.locator("title", has_text=said)).to_have_count(1)
        repeated = page.get_by_role("img", name="Doubtful and repeated doubtful closures per week")
        await expect(repeated.locator("title", has_text="doubtful or failed: 1")).to_have_count(1)
        # The figures as a table per week, opened from the keyboard.
        await page.locator("#chart-breaches summary").press("Enter")
        cells = week_cells(page, "Threshold breaches per week", default_from(today), today)
        await expect(cells.nth(0)).to_have_text("4 (0 exceptions)")
        await expect(cells.nth(1)).to_have_text("75% (3/4; 95% CI 30–95%)")
        # Only NM-N2 was acknowledged: 30 min after its 07:00 submission, outside working hours.
        await page.locator("#chart-hours summary").press("Enter")
        hours = page.get_by_role("table", name="Median hours per week")
        await expect(hours.locator("td", has_text="0.5 h (0 working h; 1 report)")).to_have_count(1)
        # The chart draws what its table says (walk of 7 December: 0 working hours drew no bar
        # beside "4.7 h (0 working h; 21 reports)"); its weeks by their dates, not "2026-W49".
        chart = page.get_by_role("img", name="Median hours per week")
        bar = chart.locator("rect.chart-bar", has_text="0.5 h (0 working h; 1 report)")
        await expect(bar).to_have_count(1)
        assert float(await bar.get_attribute("height") or 0) > 0
        axis = await chart.locator("text").all_text_contents()
        assert not any("-W" in t for t in axis), axis
        confidence = bar_titles(page, "Speaking-up confidence per week")
        answered = confidence.filter(has_text="from 3 answers")
        await expect(answered).to_have_text([re.compile(r"— mean score \(1 to 5\): 3\.67 from 3")])
        await show.select_option("HC-NORTH")  # HC-NORTH answered 2 and 4
        await expect(confidence.filter(has_text="3 from 2 answers")).to_have_count(1)
        await expect(confidence.filter(has_text="scoring 1 or 2: 50% (1/2;")).to_have_count(1)
        said = "(emerging or critical): 50% (1/2; 95% CI 9–91%)"
        await expect(breaches.filter(has_text=said)).to_have_count(1)
        await expect(cells.nth(0)).to_have_text("2 (0 exceptions)")  # the table follows "Show"
        await show.select_option(CITY)
        await expect(titles.filter(has_text="credible: 67%")).to_have_count(0)
        await page.select_option("#trends-period", "month")
        months = len(periods(default_from(today), today, "month"))
        await expect(bars(page, "Reports per head per month")).to_have_count(months)
        await expect(show).to_have_value(CITY)  # the choice is kept
        await page.select_option("#trends-group", "risk_domain")  # no heads, no leavers
        leavers = page.locator("#chart-leavers .gap")
        await expect(leavers).to_contain_text("Not available by risk domain: leavers")
        await expect(page.get_by_role("img", name="Reports per month")).to_be_visible()
        await expect(page.locator("#chart-reports .gap")).to_contain_text("reports per head")
        await open_every_table(page)  # for axe-core
        assert await page.locator("#trends b").count() == 0  # markup in the data stays text
        await accessible(page, "dashboard-series-1400")
