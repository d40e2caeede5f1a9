"""Learning, closure and under-triage analytics over HTTP, on small data sets with known answers
(workforce analytics: test_analytics_workforce.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.acknowledgment import AckPolicy
from domain.learning_cycles import cycle_window
from store.acknowledgment import generate_review
from store.db import transaction
from tests.analytics_support import (
    CALENDAR,
    LEARNING,
    audit,
    by,
    closure_review,
    closure_row,
    confirmation,
    evidence,
    platform,
    register,
    rejected_field,
)
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.learning_factories import closed_report, load_closed


async def _two_learning_cycles(sessions: Any) -> None:
    """Cycle 16 Feb: L1-L3 on HC-NORTH (visible, no feedback, recurrence), L4 and L5 (no
    bulletin log row: an exception) on DN-CITY; cycle 2 Mar: L6 without feedback; both audited."""
    await load(sessions, "staff-directory", staff_rows())
    first, second = date(2026, 2, 16), date(2026, 3, 2)
    start = cycle_window(CALENDAR, first, LEARNING)[0]
    later = cycle_window(CALENDAR, second, LEARNING)[0]
    reports = [
        closed_report(
            "L1", closed_at=start + timedelta(days=1), wider_relevance=True, bulletin=True
        ),
        closed_report(
            "L2", closed_at=start + timedelta(days=2), wider_relevance=True, feedback=False
        ),
        closed_report("L3", closed_at=start + timedelta(days=3), recurrence=True),
        closed_report("L4", closed_at=start + timedelta(days=4), service_line="DN-CITY"),
        closed_report("L5", closed_at=start + timedelta(days=5), service_line="DN-CITY"),
        closed_report("L6", closed_at=later + timedelta(days=1), feedback=False),
    ]
    del reports[4]["learning-bulletin-log"]  # L5 does not reconcile: an exception
    await load_closed(sessions, reports)
    await load(
        sessions,
        "service-line-governance-register",
        [
            register("L1", "ML-1"),
            register("L2", "ML-1"),
            register("L3", "ML-1"),
            register("L4", "ML-2"),
        ],
    )
    await audit(sessions, first, datetime(2026, 3, 2, 7, tzinfo=UTC))
    await audit(sessions, second, datetime(2026, 3, 16, 7, tzinfo=UTC))


async def test_learning_rates_per_cycle_and_group(database_url, sessions, api_for):
    await _two_learning_cycles(sessions)
    api = await api_for(database_url)

    response = await api.get("/analytics/learning?from=2026-02-16&to=2026-03-02", "E-INSPECTOR")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["group"], body["not_available"]) == ("service_line", [])
    rows = by(body["rows"], "cycle_start", "service_line")
    assert set(rows) == {
        ("2026-02-16", "HC-NORTH"),
        ("2026-02-16", "DN-CITY"),
        ("2026-03-02", "HC-NORTH"),
    }
    north = rows[("2026-02-16", "HC-NORTH")]
    assert (north["closed_reports"], north["reconciled"], north["exceptions"]) == (3, 3, 0)
    assert (north["visible_learning_closure"], north["emerging"], north["critical"]) == (1, 1, 1)
    assert (north["feedback_to_reporter"], north["feedback_to_reporter_rate"]) == (2, 0.6667)
    assert (north["shared_learning_required"], north["shared_learning_issued"]) == (2, 1)
    assert north["shared_learning_rate"] == 0.5
    assert (north["recurrence_within_30_days"], north["recurrence_within_30_days_rate"]) == (
        1,
        0.3333,
    )
    city = rows[("2026-02-16", "DN-CITY")]
    assert (city["closed_reports"], city["exceptions"], city["reconciled"]) == (2, 1, 1)
    assert city["feedback_to_reporter_rate"] == 1.0
    assert city["shared_learning_rate"] is None  # nothing of wider relevance: no denominator
    assert city["recurrence_within_30_days_rate"] == 0.0
    assert rows[("2026-03-02", "HC-NORTH")]["feedback_to_reporter_rate"] == 0.0
    assert rows[("2026-03-02", "HC-NORTH")]["review_id"] == "learning-audit-2026-03-02"

    lines = await api.get(
        "/analytics/learning?from=2026-02-16&to=2026-02-28&group=manager_line", "E-BOARD"
    )
    assert lines.status_code == 200, lines.text
    counts = {r["manager_line"]: r["closed_reports"] for r in lines.json()["rows"]}
    assert counts == {"ML-1": 3, "ML-2": 1, "unknown": 1}  # L5 has no register row

    empty = await api.get("/analytics/learning?from=2025-01-01&to=2025-12-31", "E-INSPECTOR")
    assert empty.status_code == 200 and empty.json()["rows"] == []
    assert await rejected_field(api, "/analytics/learning?from=2026-03-02&to=2026-02-16") == "to"
    # No unbounded ranges: a request's work stays bounded.
    assert await rejected_field(api, "/analytics/workforce?from=2026-01-01&to=9999-12-31") == "to"
    assert await rejected_field(api, "/analytics/workforce?from=0001-01-01&to=2026-12-31") == "from"
    assert await rejected_field(api, "/analytics/learning?from=x&to=2026-02-16") == "from"
    url = "/analytics/learning?from=2026-02-16&to=2026-03-02&group=team"
    assert await rejected_field(api, url) == "group"
    assert (
        await api.get("/analytics/learning?from=2026-02-16&to=2026-03-02", "W-100")
    ).status_code == 403


async def _october_closures_reviewed_then_confirmed_and_reopened(sessions: Any) -> None:
    """C1-C3 on SL-A (R1; C3 on ML-2), C4 and C5 on SL-B (ML-2; C5's confirmation does not
    reconcile), reviewed for October; afterwards C2 is confirmed and C4 reopened."""
    await load(sessions, "staff-directory", staff_rows())
    await load(
        sessions,
        "closed-case-register",
        [
            closure_row("C1", 14),  # credible, after two doubtful ones by R1: not counted
            closure_row("C2", 10),
            closure_row("C3", 12, manager_line="ML-2"),
            closure_row(
                "C4", 28, service_line="SL-B", manager_line="ML-2", final_reviewing_role="R2"
            ),
            closure_row("C5", 29, service_line="SL-B", manager_line="ML-2"),
        ],
    )
    await load(
        sessions,
        "employee-confirmation-form",
        [
            confirmation("C1", True),
            confirmation("C3", False),
            confirmation("C4", True),
            confirmation("C5", True, employee="W-OTHER"),  # does not reconcile: an exception
        ],
    )
    await load(
        sessions,
        "final-action-evidence-library",
        [evidence("C1"), evidence("C2"), evidence("C3"), evidence("C4", "none"), evidence("C5")],
    )
    domains = {"NM-C1": "medication", "NM-C2": "medication", "NM-C3": "medication",
               "NM-C4": "documentation"}  # fmt: skip
    await load(
        sessions,
        "incident-platform",
        [platform(ref, "W-1", "2026-09-01T10:00:00+00:00", domain=d) for ref, d in domains.items()],
    )
    await closure_review(sessions, "2026-10", datetime(2026, 11, 2, 7, tzinfo=UTC))
    # After the review: C2's worker confirms and C4 is reopened 23 days after closure.
    await load(sessions, "employee-confirmation-form", [confirmation("C2", True)])
    reopen = {"case_ref": "C4", "reopened_at": "2026-11-20T09:00:00+00:00", "reason": "again"}
    await load(sessions, "reopened-risk-tracker", [reopen])


async def test_closure_confirmed_reopened_and_repeated_doubtful(database_url, sessions, api_for):
    await _october_closures_reviewed_then_confirmed_and_reopened(sessions)
    api = await api_for(database_url)

    response = await api.get("/analytics/closure?from=2026-10-15&to=2026-10-20", "E-INSPECTOR")
    assert response.status_code == 200, response.text
    rows = by(response.json()["rows"], "month", "service_line")
    a = rows[("2026-10", "SL-A")]
    assert (a["closures"], a["reconciled"], a["exceptions"]) == (3, 3, 0)
    assert (a["credible"], a["doubtful"], a["failed"]) == (1, 1, 1)  # as the review classed them
    assert (a["employee_confirmed"], a["employee_confirmed_rate"]) == (2, 0.6667)  # C2 late
    assert a["employee_disputed"] == 1
    assert (a["reopened_within_30_days"], a["reopened_within_30_days_rate"]) == (0, 0.0)
    assert a["doubtful_or_failed_by_reviewer"] == {"R1": 2}
    # C2 is R1's first doubtful closure; C3 (two days later) is the second: repeated.
    assert (a["repeated_doubtful_closures"], a["repeated_doubtful_by_reviewer"]) == (1, {"R1": 1})
    b = rows[("2026-10", "SL-B")]
    assert (b["closures"], b["reconciled"], b["exceptions"], b["doubtful"]) == (2, 1, 1, 1)
    assert (b["employee_confirmed_rate"], b["reopened_within_30_days_rate"]) == (1.0, 1.0)
    assert (b["doubtful_or_failed_by_reviewer"], b["repeated_doubtful_closures"]) == ({"R2": 1}, 0)
    # "By reviewing role or manager line": C4 is ML-2's second non-credible closure (after C3).
    assert a["doubtful_or_failed_by_manager_line"] == {"ML-1": 1, "ML-2": 1}
    assert a["repeated_doubtful_by_manager_line"] == {}
    assert b["repeated_doubtful_by_manager_line"] == {"ML-2": 1}
    assert b["repeated_doubtful_closures_role_or_line"] == 1

    domains = await api.get(
        "/analytics/closure?from=2026-10-01&to=2026-10-31&group=risk_domain", "E-BOARD"
    )
    assert {r["risk_domain"]: r["closures"] for r in domains.json()["rows"]} == {
        "medication": 3,
        "documentation": 1,
        "unknown": 1,  # C5's report is not in the incident platform
    }
    empty = await api.get("/analytics/closure?from=2026-11-01&to=2026-12-31", "E-INSPECTOR")
    assert empty.status_code == 200 and empty.json()["rows"] == []
    assert await rejected_field(api, "/analytics/closure?from=2026-11-01&to=2026-10-01") == "to"
    assert await rejected_field(api, "/analytics/closure?to=2026-10-01") == "from"
    assert (
        await api.get("/analytics/closure?from=2026-10-01&to=2026-10-31", "W-100")
    ).status_code == 403


async def test_under_triage_by_category(database_url, sessions, api_for):
    await load(sessions, "staff-directory", staff_rows())
    day = date(2026, 11, 26)
    as_of = datetime(2026, 11, 26, 7, tzinfo=UTC)
    reports = [
        report_rows("NM-T1", submitted_at=as_of - timedelta(days=4), ack_minutes=None),  # critical
        report_rows("NM-T2", submitted_at=as_of - timedelta(hours=3), ack_minutes=20),  # fine
        report_rows("NM-T3", submitted_at=as_of - timedelta(hours=3), ack_minutes=20, owner=None),
        report_rows("NM-T4", submitted_at=as_of - timedelta(hours=3), ack_minutes=None),
    ]
    reports[2]["incident-platform"]["category_code"] = "ENV-02"  # emerging: no named owner
    del reports[3]["workforce-reporting-log"]  # an exception: not counted
    await load_reports(sessions, reports)
    async with transaction(sessions) as session:
        await generate_review(session, f"ack-review-{day}", day, as_of, AckPolicy())
    api = await api_for(database_url)
    response = await api.get("/analytics/triage?from=2026-11-26&to=2026-11-26", "E-INSPECTOR")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["not_available"] == []  # time to a named owner: /analytics/series
    rows = by(body["rows"], "review_date", "service_line", "category_code")
    med = rows[("2026-11-26", "HC-NORTH", "MED-01")]
    assert (med["classified"], med["under_triaged"], med["under_triage_rate"]) == (2, 1, 0.5)
    assert (med["triage_over_threshold"], med["manager_not_reviewed"]) == (1, 2)
    env = rows[("2026-11-26", "HC-NORTH", "ENV-02")]
    assert (env["classified"], env["under_triage_rate"], env["no_named_triage_owner"]) == (
        1,
        1.0,
        1,
    )
    assert set(rows) == {("2026-11-26", "HC-NORTH", "MED-01"), ("2026-11-26", "HC-NORTH", "ENV-02")}
    empty = await api.get("/analytics/triage?from=2026-11-27&to=2026-11-30", "E-INSPECTOR")
    assert empty.status_code == 200 and empty.json()["rows"] == []
    assert await rejected_field(api, "/analytics/triage?from=2026-11-27&to=2026-11-26") == "to"
    url = "/analytics/triage?from=2026-11-26&to=2026-11-26&group=category"
    assert await rejected_field(api, url) == "group"
    assert (await api.get(url.replace("category", "risk_domain"), "W-100")).status_code == 403
