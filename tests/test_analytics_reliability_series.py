"""Acknowledgment and triage reliability of /analytics/series per week and month, on a small
hand-counted set of example-1 review items, SQLite and PostgreSQL: threshold breaches (emerging
and critical reports) per service line and manager line, under-triage by near-miss category,
exceptions counted but outside every denominator; the CSV carries the same figures.

Review 24 Nov 2026 (week 48): A1 HC-NORTH MED critical, A2 HC-NORTH MED within tolerance,
A3 HC-NORTH FALL emerging, A4 HC-NORTH not reconciled (an exception), A5 DN-CITY FALL within
tolerance. Review 25 Nov (week 48): A6 HC-NORTH MED emerging. Review 1 Dec (week 49): A7
HC-NORTH FALL within tolerance. Manager lines: A1-A4 ML-1, A5 and A6 ML-2, A7 ML-1.

By hand, week 48 HC-NORTH: 5 reports, 1 exception, 4 classified, breaches A1 A3 A6 = 3 of 4;
MED 2 of 3 under-triaged (A1, A6), FALL 1 of 1 (A3). Wilson 95% of 3 of 4 (z² = 3.8415):
centre (0.75 + 0.4802) / 1.9604 = 0.6275, half 1.96 × √(0.046875 + 0.060023) / 1.9604 = 0.3269
→ [0.3006, 0.9544]. By manager line, week 48: ML-1 A1 A2 A3 (2 of 3), ML-2 A5 A6 (1 of 2).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from domain import names
from tests.analytics_support import by
from tests.factories import load, staff_rows
from tests.stored_rows import item, review

ACK = names.EXAMPLE_ACKNOWLEDGMENT


def report(ref: str, line: str, category: str, manager: str) -> dict[str, Any]:
    return {"service_line": line, "category_code": category, "manager_line": manager}


ITEMS = {
    "2026-11-24": [
        ("A1", "critical", report("A1", "HC-NORTH", "MED", "ML-1")),
        ("A2", "within_tolerance", report("A2", "HC-NORTH", "MED", "ML-1")),
        ("A3", "emerging", report("A3", "HC-NORTH", "FALL", "ML-1")),
        ("A4", None, report("A4", "HC-NORTH", "MED", "ML-1")),
        ("A5", "within_tolerance", report("A5", "DN-CITY", "FALL", "ML-2")),
    ],
    "2026-11-25": [("A6", "emerging", report("A6", "HC-NORTH", "MED", "ML-2"))],
    "2026-12-01": [("A7", "within_tolerance", report("A7", "HC-NORTH", "FALL", "ML-1"))],
}


async def seed(sessions: Any) -> None:
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        for day, rows in ITEMS.items():
            as_of = datetime.fromisoformat(f"{day}T07:00:00+00:00").astimezone(UTC)
            found = review(ACK, day, as_of)
            session.add(found)
            for ref, classification, fields in rows:
                session.add(item(found.review_id, ref, classification, **fields))


async def series(api: Any, **params: str) -> dict[tuple[str, str], dict[str, Any]]:
    response = await api.get("/analytics/series", "E-INSPECTOR", params=params)
    assert response.status_code == 200, response.text
    return by(response.json()["rows"], "period", params.get("group", "service_line"))


async def test_threshold_breaches_and_under_triage_per_week_and_month(
    database_url, sessions, api_for
):
    await seed(sessions)
    api = await api_for(database_url)
    weeks = {"from": "2026-11-23", "to": "2026-12-06", "period": "week"}
    rows = await series(api, **weeks)
    north = rows[("2026-W48", "HC-NORTH")]["reliability"]
    assert (north["reports"], north["exceptions"], north["classified"]) == (5, 1, 4)
    assert (north["within_tolerance"], north["emerging"], north["critical"]) == (1, 2, 1)
    assert (north["threshold_breaches"], north["threshold_breach_rate"]) == (3, 0.75)
    assert north["threshold_breach_rate_ci95"] == [0.3006, 0.9544]
    assert north["under_triage_by_category"] == {
        "FALL": {"classified": 1, "under_triaged": 1, "under_triage_rate": 1.0},
        "MED": {"classified": 3, "under_triaged": 2, "under_triage_rate": 0.6667},
    }
    city = rows[("2026-W48", "DN-CITY")]["reliability"]
    assert (city["threshold_breaches"], city["threshold_breach_rate"]) == (0, 0.0)
    assert city["threshold_breach_rate_ci95"] == [0.0, 0.7935]
    later = rows[("2026-W49", "HC-NORTH")]["reliability"]
    assert (later["classified"], later["threshold_breaches"]) == (1, 0)
    empty = rows[("2026-W49", "DN-CITY")]["reliability"]
    assert (
        empty["reports"],
        empty["threshold_breach_rate"],
        empty["under_triage_by_category"],
    ) == (
        0,
        None,
        {},
    )

    lines = await series(api, **weeks, group="manager_line")
    assert lines[("2026-W48", "ML-1")]["reliability"]["threshold_breaches"] == 2
    assert lines[("2026-W48", "ML-1")]["reliability"]["classified"] == 3  # A4 is an exception
    ml2 = lines[("2026-W48", "ML-2")]["reliability"]
    assert (ml2["threshold_breaches"], ml2["threshold_breach_rate_ci95"]) == (1, [0.0945, 0.9055])

    months = await series(api, **{"from": "2026-11-01", "to": "2026-12-31", "period": "month"})
    november = months[("2026-11", "HC-NORTH")]["reliability"]
    assert (november["classified"], november["threshold_breaches"]) == (4, 3)
    assert months[("2026-12", "HC-NORTH")]["reliability"]["classified"] == 1

    response = await api.get("/analytics/series", "E-INSPECTOR", params={**weeks, "format": "csv"})
    assert response.status_code == 200, response.text
    table = {(r["period"], r["group"]): r for r in csv.DictReader(io.StringIO(response.text))}
    line = table[("2026-W48", "HC-NORTH")]
    assert line["reliability_threshold_breaches"] == "3"
    assert (
        line["reliability_threshold_breach_rate_ci95_low"],
        line["reliability_threshold_breach_rate_ci95_high"],
    ) == ("0.3006", "0.9544")
    assert line["reliability_under_triage_by_category"] == "FALL: 1/1; MED: 2/3"
