"""Workforce analytics over HTTP (speaking-up confidence, reporting, leavers by exposure), on a
small data set with known answers."""

from __future__ import annotations

from tests.analytics_seeds import workforce as seed_workforce
from tests.analytics_support import (
    by,
    rejected_field,
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
