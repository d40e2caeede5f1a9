"""Retention analytics over stored reviews, per service line and review date, over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.acknowledgment import AckPolicy
from store.acknowledgment import generate_review
from store.db import transaction
from tests.factories import load, load_reports, report_rows, staff_rows

DAY_1, DAY_2 = date(2026, 11, 26), date(2026, 11, 27)


def as_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


async def test_trends_per_service_line_and_review_date(database_url, sessions, api_for):
    await load(sessions, "staff-directory", staff_rows())
    t = as_of(DAY_1)
    await load_reports(
        sessions,
        [
            report_rows("NM-A1", submitted_at=t - timedelta(hours=2), ack_minutes=30),
            report_rows("NM-A2", submitted_at=t - timedelta(hours=50), ack_minutes=None),
            report_rows(
                "NM-B1",
                submitted_at=t - timedelta(hours=30),
                ack_minutes=None,
                owner=None,
                service_line="DN-CITY",
            ),
        ],
    )
    for day in (DAY_1, DAY_2):
        async with transaction(sessions) as session:
            await generate_review(session, f"ack-review-{day}", day, as_of(day), AckPolicy())
    api = await api_for(database_url)
    response = await api.get(
        "/analytics/acknowledgment?from=2026-11-26&to=2026-11-27", "E-INSPECTOR"
    )
    assert response.status_code == 200, response.text
    rows = {(r["review_date"], r["service_line"]): r for r in response.json()}
    north = rows[("2026-11-26", "HC-NORTH")]
    assert (north["reports"], north["within_tolerance"], north["critical"]) == (2, 1, 1)
    assert north["threshold_breaches"] == 1
    assert north["median_minutes_to_first_acknowledgment"] == (30 + 50 * 60) / 2
    # In hours 1515 / 60 = 25.25. Working hours (09:00-17:00): NM-A1, 05:00 to 05:30 on the
    # 26th, 0; NM-A2, from 05:00 on Tuesday 24th to the review at 07:00 on Thursday 26th, 8 + 8.
    assert north["median_hours_to_first_acknowledgment"] == 25.25
    assert north["median_working_hours_to_first_acknowledgment"] == 8.0
    city = rows[("2026-11-26", "DN-CITY")]
    assert (city["emerging"], city["no_named_triage_owner"]) == (1, 1)
    # A day later the unacknowledged report in DN-CITY has crossed 48 hours.
    assert rows[("2026-11-27", "DN-CITY")]["critical"] == 1
    bad = await api.get("/analytics/acknowledgment?from=2026-11-27&to=2026-11-26", "E-BOARD")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
    assert (
        await api.get("/analytics/acknowledgment?from=2026-11-26&to=2026-11-27", "W-100")
    ).status_code == 403
