"""The dashboard tests' server and data: the API on a real socket, and trends over several
weeks, groups and all three examples (CITY's name carries markup that must show as text)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Locator, Page, async_playwright

from api.app import create_app
from domain.acknowledgment import AckPolicy
from domain.analytics import periods
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.credibility import CredibilityPolicy
from domain.learning import LearningPolicy
from domain.learning_cycles import cycle_window
from store.acknowledgment import generate_review
from store.credibility import generate_closure_review
from store.db import transaction
from store.learning import generate_audit
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.fixtures.api import token
from tests.fixtures.temporal import make_test_settings
from tests.learning_factories import closed_report, confidence, load_closed
from tests.ops_support import serve_app
from tests.start_support import OFFSET, suite_clock, suite_now
from tests.workflow_support import (
    local_as_of,
)


@asynccontextmanager
async def serve(database_url: str, client, queue: str, clock=None) -> AsyncIterator[str]:
    """The API on a real socket (127.0.0.1, free port); yields its base URL."""
    app = create_app(make_test_settings(database_url, temporal_task_queue=queue))
    app.state.temporal_client = client
    app.state.clock = suite_clock if clock is None else clock
    async with serve_app(app) as base:
        yield base


CITY = "DN-CITY<b>!</b>"  # markup in the data must show as text, never as markup


async def learning_audit(sessions: Any, cycle: date) -> None:
    window = cycle_window(BusinessCalendar(CalendarConfig()), cycle, LearningPolicy())
    async with transaction(sessions) as session:
        await generate_audit(
            session, f"learning-audit-{cycle}", cycle, window, datetime.now(UTC), LearningPolicy()
        )


def closure(case_ref: str, closed_at: datetime) -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "reference": f"NM-{case_ref}",
        "employee_id": "W-100",
        "service_line": "HC-NORTH",
        "manager_line": "ML-1",
        "closed_at": closed_at.isoformat(),
        "closure_category": "corrective_action_completed",
        "final_reviewing_role": "R1",
    }


async def seed_trends(sessions: Any, today: date) -> None:
    """Inside the last 14 days: today's daily review (breaches HC-NORTH 1, CITY 2; medication 2,
    documentation 1), an audit (feedback 2/3, shared learning 1/2, recurrence 1/3), a closure
    review (confirmed 2/3, reopened 1/3), confidence answers (HC-NORTH 2 and 4, CITY 5). Only
    inside 90 days: an older audit with one more report (feedback missing)."""
    await load(sessions, "staff-directory", staff_rows())
    as_of = local_as_of(today)
    await load_reports(
        sessions,
        [
            report_rows("NM-N1", submitted_at=as_of - timedelta(days=3), ack_minutes=None),
            report_rows("NM-N2", submitted_at=as_of - timedelta(days=2), ack_minutes=30,
                        status="triaged"),
            report_rows("NM-C1", submitted_at=as_of - timedelta(hours=36), ack_minutes=None,
                        service_line=CITY),
            report_rows("NM-C2", submitted_at=as_of - timedelta(days=3), ack_minutes=None,
                        service_line=CITY, domain="documentation"),
        ],
    )  # fmt: skip
    async with transaction(sessions) as session:
        await generate_review(session, f"ack-review-{today}", today, as_of, AckPolicy())
    cycle, old_cycle = today - timedelta(days=13), today - timedelta(days=41)
    closed = datetime(cycle.year, cycle.month, cycle.day, 10, tzinfo=UTC) + timedelta(days=1)
    await load_closed(
        sessions,
        [
            closed_report("L1", closed_at=closed, wider_relevance=True, bulletin=True),
            closed_report("L2", closed_at=closed, wider_relevance=True, feedback=False),
            closed_report("L3", closed_at=closed, recurrence=True),
            closed_report("L4", closed_at=closed - timedelta(days=28), feedback=False),
        ],
    )
    await learning_audit(sessions, cycle)
    await learning_audit(sessions, old_cycle)
    shut = closed - timedelta(days=1)  # 13 days ago: its month overlaps the range
    await load(sessions, "closed-case-register", [closure(c, shut) for c in ("C1", "C2", "C3")])
    await load(
        sessions,
        "final-action-evidence-library",
        [{"case_ref": c, "evidence_type": "photo", "recorded_at": shut.isoformat()}
         for c in ("C1", "C2", "C3")],
    )  # fmt: skip
    await load(
        sessions,
        "employee-confirmation-form",
        [{"case_ref": c, "employee_id": "W-100", "confirmed": True,
          "responded_at": (shut + timedelta(days=2)).isoformat()} for c in ("C1", "C2")],
    )  # fmt: skip
    reopened = {"case_ref": "C3", "reopened_at": (shut + timedelta(days=3)).isoformat()}
    await load(sessions, "reopened-risk-tracker", [reopened | {"reason": "happened again"}])
    async with transaction(sessions) as session:
        await generate_closure_review(
            session, f"closure-review-{shut:%Y-%m}", f"{shut:%Y-%m}", datetime.now(UTC),
            "Europe/London", CredibilityPolicy(),
        )  # fmt: skip
    answered = as_of - timedelta(days=2)
    await load(
        sessions,
        "speaking-up-confidence-form",
        [confidence("S1", answered, 2), confidence("S2", answered, 4),
         confidence("S3", answered, 5, service_line=CITY)],
    )  # fmt: skip


@asynccontextmanager
async def trends_browser(
    env: Any, sessions_for: Any, database_url: str, queue: str, chromium: str
) -> AsyncIterator[tuple[str, Browser, date]]:
    """The trends seeded for today (London, the page's "today"), the API served on a real socket
    and Chromium launched: yields (base URL, browser, today)."""
    today = suite_now().astimezone(ZoneInfo("Europe/London")).date()
    await seed_trends(sessions_for(database_url), today)
    async with serve(database_url, env.client, queue) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield base, browser, today
        finally:
            await browser.close()


async def open_trends(
    browser: Browser, base: str, width: int | None = None
) -> tuple[Page, list[str]]:
    """A new page of the dashboard (``width`` px by 1000, or Chromium's default) signed in as the
    inspector (a reader of trends), and the page's uncaught script errors from before it loads."""
    viewport = None if width is None else {"width": width, "height": 1000}
    page = await browser.new_page(viewport=viewport)
    if OFFSET:  # the page's "today" is the browser's: the suite's date (NEARMISS_TEST_START)
        await page.clock.set_fixed_time(suite_now())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{base}/dashboard#token={token('E-INSPECTOR')}")
    return page, errors


@asynccontextmanager
async def trends_page(
    env: Any, sessions_for: Any, database_url: str, queue: str, chromium: str, width: int
) -> AsyncIterator[tuple[Page, date]]:
    """One dashboard page of ``trends_browser``'s, as ``open_trends`` opens it: (page, today)."""
    browse = trends_browser(env, sessions_for, database_url, queue, chromium)
    async with browse as (base, browser, today):
        page, _ = await open_trends(browser, base, width)
        yield page, today


def bars(page: Page, chart: str) -> Locator:
    """The bars of the chart so named."""
    return page.get_by_role("img", name=chart).locator("rect.chart-bar")


def cells(page: Page, rows: str, text: str) -> Locator:
    """The cells of the row among ``rows`` (a selector) that contains ``text``."""
    return page.locator(rows, has_text=text).locator("td")


def working_hours(hours: str) -> re.Pattern[str]:
    """A median time as the trends table shows it: elapsed hours, then working hours."""
    return re.compile(rf"^{re.escape(hours)} h \(\d+(\.\d+)? working h\)$")


def bar_titles(page: Page, chart: str) -> Locator:
    """The titles (what a pointer or screen reader gets) of the bars of the chart so named."""
    return page.get_by_role("img", name=chart).locator("rect.chart-bar title")


def week_cells(page: Page, table: str, start: date, today: date) -> Locator:
    """The cells of the last week's row (``start`` to ``today``) of the period table so named."""
    first = periods(start, today, "week")[-1].first
    monday = first - timedelta(days=first.weekday())
    week = f"Week of {monday.day} {monday:%b} {monday.year}"  # as the table says it
    rows = page.get_by_role("table", name=table).locator("tr")
    return rows.filter(has=page.locator(f'th:text-is("{week}")')).locator("td")


async def open_every_table(page: Page) -> None:
    """Opens, from the keyboard, every chart's table per period still closed."""
    closed = page.locator("details.period-table:not([open]) > summary")
    while await closed.count():
        await closed.first.press("Enter")
