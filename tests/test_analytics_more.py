"""Learning, closure and workforce analytics over HTTP, on small data sets with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.acknowledgment import AckPolicy
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.credibility import CredibilityPolicy
from domain.learning import LearningPolicy
from domain.learning_cycles import cycle_window
from store.acknowledgment import generate_review
from store.credibility import generate_closure_review
from store.db import transaction
from store.learning import generate_audit
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.learning_factories import closed_report, load_closed

ZONE = "Europe/London"
LEARNING = LearningPolicy()
CALENDAR = BusinessCalendar(CalendarConfig())


def by(rows: list[dict[str, Any]], *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in rows}


async def rejected_field(api: Any, url: str) -> str:
    response = await api.get(url, "E-INSPECTOR")
    assert response.status_code == 422, response.text
    field: str = response.json()["errors"][0]["field"]
    return field


async def audit(sessions: Any, cycle: date, as_of: datetime) -> None:
    window = cycle_window(CALENDAR, cycle, LEARNING)
    async with transaction(sessions) as session:
        await generate_audit(session, f"learning-audit-{cycle}", cycle, window, as_of, LEARNING)


def register(reference: str, manager_line: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "employee_id": "W-100",
        "service_line": "HC-NORTH",
        "manager_line": manager_line,
        "triage_owner_id": "E-OWNER",
        "risk_domain": "medication",
    }


async def test_learning_rates_per_cycle_and_group(database_url, sessions, api_for):
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


def closure_row(case_ref: str, day: int, **over: Any) -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "reference": f"NM-{case_ref}",
        "employee_id": "W-1",
        "service_line": "SL-A",
        "manager_line": "ML-1",
        "closed_at": datetime(2026, 10, day, 10, tzinfo=UTC).isoformat(),
        "closure_category": "corrective_action_completed",
        "final_reviewing_role": "R1",
        **over,
    }


def confirmation(case_ref: str, confirmed: bool, employee: str = "W-1") -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "employee_id": employee,
        "confirmed": confirmed,
        "responded_at": "2026-10-30T10:00:00+00:00",
    }


def evidence(case_ref: str, kind: str = "photo") -> dict[str, Any]:
    return {"case_ref": case_ref, "evidence_type": kind, "recorded_at": "2026-10-20T10:00:00Z"}


async def closure_review(sessions: Any, month: str, as_of: datetime) -> None:
    async with transaction(sessions) as session:
        await generate_closure_review(
            session, f"closure-review-{month}", month, as_of, ZONE, CredibilityPolicy()
        )


async def test_closure_confirmed_reopened_and_repeated_doubtful(database_url, sessions, api_for):
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


def worker(
    eid: str, line: str = "HC-NORTH", left: str | None = None, **over: Any
) -> dict[str, Any]:
    return {
        "employee_id": eid,
        "display_name": eid,
        "email": f"{eid.lower()}@example-care.org.uk",
        "roles": ["worker"],
        "service_line": line,
        "manager_line": "ML-1" if line == "HC-NORTH" else "ML-2",
        "active": left is None,
        "left_at": left,
        **over,
    }


def answer(rid: str, eid: str, score: int, day: str, line: str = "HC-NORTH") -> dict[str, Any]:
    return {
        "response_id": rid,
        "employee_id": eid,
        "service_line": line,
        "risk_domain": "medication",
        "score": score,
        "submitted_at": f"{day}T12:00:00+00:00",
    }


def platform(
    ref: str, eid: str, at: str, line: str = "HC-NORTH", domain: str = "medication"
) -> dict[str, Any]:
    """The incident-platform row of a report submitted at AT (acknowledged after 5 minutes)."""
    submitted = datetime.fromisoformat(at)
    row = report_rows(
        ref,
        submitted_at=submitted,
        ack_minutes=5,
        employee_id=eid,
        service_line=line,
        domain=domain,
    )
    return row["incident-platform"]


async def seed_workforce(sessions: Any) -> None:
    """W-1 exposed (critical report, 5 Oct) leaves 10 Nov; W-3 not exposed leaves 20 Oct; W-4
    (DN-CITY) exposed by a doubtful closure on 15 Oct; W-5 inactive without a date: left out."""
    people = [
        *staff_rows(),  # W-100 and E-OWNER are HC-NORTH workers too
        worker("W-1", left="2026-11-10"),
        worker("W-2"),
        worker("W-3", left="2026-10-20"),
        worker("W-4", line="DN-CITY"),
        worker("W-5", active=False),
    ]
    await load(sessions, "staff-directory", people)
    review_at = datetime(2026, 10, 5, 7, tzinfo=UTC)
    await load_reports(
        sessions,
        [
            report_rows("NM-W1", submitted_at=review_at - timedelta(days=3), ack_minutes=None,
                        employee_id="W-1"),
            report_rows("NM-W2", submitted_at=review_at - timedelta(hours=19), ack_minutes=30,
                        employee_id="W-2"),
        ],
    )  # fmt: skip
    async with transaction(sessions) as session:
        await generate_review(
            session, "ack-review-2026-10-05", date(2026, 10, 5), review_at, AckPolicy()
        )
    closed = closure_row("CW4", 15, employee_id="W-4", service_line="DN-CITY", manager_line="ML-2")
    await load(sessions, "closed-case-register", [closed])
    await load(sessions, "final-action-evidence-library", [evidence("CW4")])
    await closure_review(sessions, "2026-10", datetime(2026, 11, 2, 7, tzinfo=UTC))
    await load(
        sessions,
        "incident-platform",
        [
            platform("NM-X1", "W-2", "2026-10-20T10:00:00+01:00"),
            platform("NM-TZ", "W-2", "2026-09-30T23:30:00+00:00"),  # 1 Oct 00:30 in London
            platform("NM-X2", "W-4", "2026-11-03T10:00:00+00:00", line="DN-CITY"),
        ],
    )
    await load(
        sessions,
        "speaking-up-confidence-form",
        [
            answer("R1", "W-2", 4, "2026-10-10"),
            answer("R2", "W-1", 2, "2026-10-12"),
            answer("R3", "W-2", 5, "2026-11-05"),
            answer("R4", "W-4", 1, "2026-11-06", line="DN-CITY"),
        ],
    )


async def test_workforce_confidence_reporting_and_leavers(database_url, sessions, api_for):
    await seed_workforce(sessions)
    api = await api_for(database_url)
    response = await api.get("/analytics/workforce?from=2026-10-01&to=2026-11-30", "E-INSPECTOR")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["not_available"] == []  # reports per head: /analytics/series

    reporting = by(body["reporting"], "period", "service_line")
    north_oct = reporting[("2026-10", "HC-NORTH")]
    assert (north_oct["reports"], north_oct["reporters"], north_oct["days"]) == (4, 2, 31)
    assert north_oct["reports_per_7_days"] == 0.9  # 4 × 7 ÷ 31
    assert reporting[("2026-11", "HC-NORTH")]["reports"] == 0  # a falling rate shows as zero
    assert reporting[("2026-10", "DN-CITY")]["reports"] == 0
    assert reporting[("2026-11", "DN-CITY")]["reports_per_7_days"] == 0.23

    confidence = by(body["confidence"], "period", "service_line")
    assert [confidence[("2026-10", "HC-NORTH")][k] for k in ("responses", "respondents",
            "mean_score", "low_scores")] == [2, 2, 3.0, 1]  # fmt: skip
    assert confidence[("2026-11", "HC-NORTH")]["mean_score"] == 5.0
    assert confidence[("2026-10", "DN-CITY")]["mean_score"] is None
    assert confidence[("2026-11", "DN-CITY")]["low_scores"] == 1

    leavers = by(body["leavers"], "period", "service_line")
    keys = ("exposed_workers", "exposed_leavers", "exposed_leaver_rate",
            "not_exposed_workers", "not_exposed_leavers", "not_exposed_leaver_rate")  # fmt: skip
    # October: W-1 exposed, in post; W-2, W-3 (left 20 Oct), W-100, E-OWNER not exposed.
    assert [leavers[("2026-10", "HC-NORTH")][k] for k in keys] == [1, 0, 0.0, 4, 1, 0.25]
    # November: W-3 has gone; W-1 leaves on 10 Nov.
    assert [leavers[("2026-11", "HC-NORTH")][k] for k in keys] == [1, 1, 1.0, 3, 0, 0.0]
    assert [leavers[("2026-10", "DN-CITY")][k] for k in keys] == [1, 0, 0.0, 0, 0, None]
    totals = by(body["leavers_over_range"], "service_line")
    assert [totals[("HC-NORTH",)][k] for k in keys] == [1, 1, 1.0, 4, 1, 0.25]
    assert totals[("HC-NORTH",)]["period"] == "2026-10-01/2026-11-30"


async def test_workforce_weeks_groups_and_parameters(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await seed_workforce(sessions)
    api = await api_for(sqlite_url)
    weeks = await api.get(
        "/analytics/workforce?from=2026-10-01&to=2026-10-11&period=week", "E-BOARD"
    )
    assert weeks.status_code == 200, weeks.text
    reporting = by(weeks.json()["reporting"], "period", "service_line")
    w40 = reporting[("2026-W40", "HC-NORTH")]  # Thursday 1 Oct to Sunday 4 Oct
    assert (w40["first_day"], w40["last_day"], w40["reports"]) == ("2026-10-01", "2026-10-04", 3)
    assert w40["reports_per_7_days"] == 5.25
    assert reporting[("2026-W41", "HC-NORTH")]["reports"] == 0

    lines = await api.get(
        "/analytics/workforce?from=2026-10-01&to=2026-11-30&group=manager_line", "E-BOARD"
    )
    confidence = by(lines.json()["confidence"], "period", "manager_line")
    assert confidence[("2026-11", "ML-2")]["mean_score"] == 1.0  # W-4 from the staff directory
    assert (
        by(lines.json()["leavers"], "period", "manager_line")[("2026-10", "ML-1")][
            "not_exposed_leavers"
        ]
        == 1
    )

    domains = await api.get(
        "/analytics/workforce?from=2026-10-01&to=2026-11-30&group=risk_domain", "E-BOARD"
    )
    body = domains.json()
    assert body["leavers"] == [] and body["leavers_over_range"] == []
    assert "leavers" in [n["measure"] for n in body["not_available"]]
    assert by(body["reporting"], "period", "risk_domain")[("2026-10", "medication")]["reports"] == 4

    empty = await api.get("/analytics/workforce?from=2025-01-01&to=2025-01-31", "E-BOARD")
    assert (empty.json()["reporting"], empty.json()["confidence"]) == ([], [])
    url = "/analytics/workforce?from=2026-10-01&to=2026-11-30&period=year"
    assert await rejected_field(api, url) == "period"
    assert await rejected_field(api, "/analytics/workforce?from=2026-10-02&to=2026-10-01") == "to"
    assert (
        await api.get("/analytics/workforce?from=2026-10-01&to=2026-10-31", "W-2")
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
