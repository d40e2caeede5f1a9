"""Learning, closure and under-triage analytics over HTTP, on small data sets with known answers
(workforce analytics: test_analytics_workforce.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.acknowledgment import AckPolicy
from store.acknowledgment import generate_review
from store.db import transaction
from tests.analytics_seeds import (
    october_closures_reviewed_then_confirmed_and_reopened,
    two_learning_cycles,
)
from tests.analytics_support import (
    by,
    rejected_field,
)
from tests.factories import load, load_reports, report_rows, staff_rows


async def test_learning_rates_per_cycle_and_group(database_url, sessions, api_for):
    await two_learning_cycles(sessions)
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


async def test_closure_confirmed_reopened_and_repeated_doubtful(database_url, sessions, api_for):
    await october_closures_reviewed_then_confirmed_and_reopened(sessions)
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
