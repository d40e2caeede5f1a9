"""The reporting-confidence dashboard in a real browser (Debian Chromium driven by Playwright),
served by uvicorn on 127.0.0.1 against a real database, Temporal test server and worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import async_playwright, expect

from api.app import create_app
from domain import names
from domain.acknowledgment import AckPolicy
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.closure import ClosurePolicy
from domain.learning import LearningPolicy, cycle_window
from store.acknowledgment import generate_review
from store.closure import generate_closure_review
from store.db import transaction
from store.learning import generate_audit
from tests.api_support import CRITICAL, seed
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.fixtures.api import bearer, token
from tests.fixtures.temporal import make_test_settings
from tests.learning_factories import closed_report, confidence, load_closed
from tests.ops_support import serve_app
from tests.workflow_support import (
    local_as_of,
    next_working_day,
    running_worker,
    skip_to_as_of,
    wait_for,
)


@asynccontextmanager
async def serve(database_url: str, client, queue: str, clock=None) -> AsyncIterator[str]:
    """The API on a real socket (127.0.0.1, free port); yields its base URL."""
    app = create_app(make_test_settings(database_url, temporal_task_queue=queue))
    app.state.temporal_client = client
    if clock is not None:
        app.state.clock = clock
    async with serve_app(app) as base:
        yield base


async def test_analyst_marks_review_reviewed_and_supervisor_sees_the_step(
    own_env, sqlite_url, sessions_for, tmp_path, chromium
):
    sessions = sessions_for(sqlite_url)
    day = await next_working_day(own_env)
    await seed(sessions, day)
    async with (
        running_worker(own_env, sessions) as queue,
        serve(sqlite_url, own_env.client, queue, own_env.get_current_time) as base,
        httpx.AsyncClient(base_url=base) as http,
        async_playwright() as pw,
    ):
        await skip_to_as_of(own_env, day)
        started = await http.post(f"/reviews/acknowledgment/{day}", headers=bearer("E-ADMIN"))
        assert started.status_code == 202, started.text
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{base}/dashboard#token={token('E-ANALYST')}&date={day}")
        await expect(page.locator("#review-status")).to_contain_text("generated", timeout=15_000)
        await expect(page.locator("#review-counts")).to_contain_text("critical: 1")
        await page.click("#mark-reviewed")
        await expect(page.locator("#review-status")).to_contain_text("reviewed", timeout=15_000)
        review = await http.get(f"/reviews/ack-review-{day}", headers=bearer("E-INSPECTOR"))
        assert review.json()["status"] == "reviewed"
        assert review.json()["reviewed_by"] == "E-ANALYST"

        case_id = names.ack_case_id(CRITICAL)

        async def case_projected() -> bool:
            cases = await http.get("/cases", headers=bearer("E-SUPERVISOR"))
            return any(
                c["case_id"] == case_id and c["stage"] == "triage-attribution" for c in cases.json()
            )

        await wait_for(case_projected)
        supervisor = await browser.new_page()
        await supervisor.goto(f"{base}/dashboard#token={token('E-SUPERVISOR')}&date={day}")
        step_row = supervisor.locator("#steps tr", has_text=case_id)
        await expect(step_row).to_contain_text("triage-attribution", timeout=15_000)
        assert not await supervisor.locator("#mark-reviewed").is_visible()  # analyst only
        await step_row.click()
        await expect(supervisor.locator("#timeline")).to_contain_text("obligation_opened")
        await supervisor.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        await browser.close()


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
            "Europe/London", ClosurePolicy(),
        )  # fmt: skip
    answered = as_of - timedelta(days=2)
    await load(
        sessions,
        "speaking-up-confidence-form",
        [confidence("S1", answered, 2), confidence("S2", answered, 4),
         confidence("S3", answered, 5, service_line=CITY)],
    )  # fmt: skip


async def test_reader_sees_trends_per_grouping_and_a_worker_does_not(
    own_env, sqlite_url, sessions_for, chromium
):
    sessions = sessions_for(sqlite_url)
    today = datetime.now(ZoneInfo("Europe/London")).date()  # the page's "today"
    await seed_trends(sessions, today)
    async with (
        serve(sqlite_url, own_env.client, "dashboard-trends") as base,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{base}/dashboard#token={token('E-INSPECTOR')}")
        await expect(page.locator("#trends")).to_be_visible(timeout=15_000)
        await page.select_option("#trends-range", "14")  # the default shows current reviews
        await expect(page.locator("#trends-range-label")).to_contain_text(
            f"{today - timedelta(days=13)} to {today}"
        )

        ack = page.locator("#trend-ack tr")
        await expect(ack.filter(has_text=CITY).locator("td")).to_have_text(
            [CITY, "1", "2", "2", "54.0 h"]  # 36 h and 72 h unacknowledged: median 54 h
        )
        await expect(ack.filter(has_text="HC-NORTH").locator("td")).to_have_text(
            ["HC-NORTH", "1", "2", "1", "36.3 h"]  # 72 h and 30 min: 2175 min
        )
        assert await page.locator("#trends b").count() == 0
        await expect(page.locator("#trend-ack-notes")).to_contain_text(
            "Time to a named triage owner, in working hours per week: the chart above."
        )
        learning = page.locator("#trend-learning tr", has_text="HC-NORTH").locator("td")
        await expect(learning).to_have_text(
            ["HC-NORTH", "1", "3", "67% (2/3)", "50% (1/2)", "33% (1/3)"]
        )
        closures = page.locator("#trend-closure tr", has_text="HC-NORTH").locator("td")
        await expect(closures).to_have_text(["HC-NORTH", "1", "3", "67% (2/3)", "33% (1/3)"])
        workforce = page.locator("#trend-workforce tr")
        await expect(workforce.filter(has_text="HC-NORTH").locator("td")).to_have_text(
            ["HC-NORTH", "3.00 (2)", "1.00", "0% (0/1)", "0% (0/1)"]
        )
        await expect(workforce.filter(has_text=CITY).locator("td").nth(1)).to_have_text("5.00 (1)")

        await page.select_option("#trends-group", "risk_domain")
        await expect(page.locator("#trend-ack-head")).to_contain_text("Risk domain")
        await expect(ack.filter(has_text="medication").locator("td")).to_have_text(
            ["medication", "1", "3", "2", "36.0 h"]
        )
        await expect(ack.filter(has_text="documentation").locator("td")).to_have_text(
            ["documentation", "1", "1", "1", "72.0 h"]
        )
        await expect(page.locator("#trend-workforce-notes")).to_contain_text(
            "Not available: leavers"
        )
        await page.select_option("#trends-range", "90")
        await expect(page.locator("#trends-range-label")).to_contain_text(
            f"{today - timedelta(days=89)} to {today}"
        )
        await expect(
            page.locator("#trend-learning tr", has_text="medication").locator("td")
        ).to_have_text(["medication", "2", "4", "50% (2/4)", "50% (1/2)", "25% (1/4)"])

        async with page.expect_response(lambda r: "/analytics/" in r.url) as answer:
            await page.fill("#token", token("W-100"))
            await page.click("#signin")
        assert (await answer.value).status == 403
        await expect(page.locator("#who")).to_contain_text("W-100")
        await expect(page.locator("#trends")).to_be_hidden()
        await expect(page.locator("#trend-ack tr")).to_have_count(0)  # the reader's figures went
        assert errors == []
        await browser.close()
