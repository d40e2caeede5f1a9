"""Workforce analytics over HTTP (speaking-up confidence, reporting, leavers by exposure), on a
small data set with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.acknowledgment import AckPolicy
from store.acknowledgment import generate_review
from store.db import transaction
from tests.analytics_support import (
    answer,
    by,
    closure_review,
    closure_row,
    evidence,
    platform,
    rejected_field,
    worker,
)
from tests.factories import load, load_reports, report_rows, staff_rows


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
