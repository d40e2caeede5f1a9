"""Retention analytics over time (/analytics/series) on a small hand-counted set, SQLite and
PostgreSQL: reports per head with the hesitancy flag, hours and working hours to first
acknowledgment and to a named triage owner, leavers counted from their start dates with Wilson
intervals. November 2026 is GMT, so local and UTC times coincide."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import load, load_reports, report_rows, staff_rows

TEAM = "HC-EAST"
MONDAY_W47 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def worker(eid: str, started: str, left: str | None = None) -> dict[str, Any]:
    return {"employee_id": eid, "display_name": eid, "email": f"{eid.lower()}@example.org",
            "roles": ["worker"], "service_line": TEAM, "manager_line": "ML-EAST",
            "active": left is None, "started_at": started, "left_at": left}  # fmt: skip


async def seed(sessions: Any) -> None:
    team = [worker(f"W-E{i}", "2026-01-01") for i in (1, 2, 4)]
    team += [worker("W-E3", "2026-01-01", left="2026-11-18"), worker("W-E5", "2026-11-20")]
    await load(sessions, "staff-directory", staff_rows() + team)
    rows = []
    for week in range(6, 0, -1):  # weeks 41-46: one report per head (4 heads)
        for i in range(4):
            at = MONDAY_W47 - timedelta(weeks=week) + timedelta(hours=i)
            rows.append(report_rows(f"NM-H{week}-{i}", submitted_at=at, ack_minutes=60,
                                    employee_id=f"W-E{i + 1}", service_line=TEAM))  # fmt: skip
    # Week 47: four reports; acknowledged after 30 min, 2 h and 26 h (Tuesday 12:00), one not.
    for i, ack in enumerate((30, 120, 26 * 60, None)):
        rows.append(report_rows(f"NM-W47-{i}", submitted_at=MONDAY_W47, ack_minutes=ack,
                                employee_id=f"W-E{i + 1}", service_line=TEAM))  # fmt: skip
    # Triage owners named 1 h and 50 h (Wednesday 12:00) after submission.
    rows[-4]["manager-response-tracker"]["triage_owner_assigned_at"] = (
        MONDAY_W47 + timedelta(hours=1)
    ).isoformat()
    rows[-3]["manager-response-tracker"]["triage_owner_assigned_at"] = (
        MONDAY_W47 + timedelta(hours=50)
    ).isoformat()
    await load_reports(sessions, rows)  # week 48: no report at all


async def test_series_per_week(database_url, sessions, api_for):
    await seed(sessions)
    api = await api_for(database_url)
    params = {"from": "2026-11-16", "to": "2026-11-29", "period": "week"}
    response = await api.get("/analytics/series", "E-INSPECTOR", params=params)
    assert response.status_code == 200, response.text
    rows = [r for r in response.json()["rows"] if r["service_line"] == TEAM]
    w47, w48 = rows
    assert (w47["period"], w48["period"]) == ("2026-W47", "2026-W48")
    # Heads on the period's first day: W-E1..4 on 16 Nov (W-E5 starts on the 20th); on 23 Nov
    # W-E3 has left (18 Nov) and W-E5 is in post.
    assert (w47["reports"], w47["heads"], w47["reports_per_head"]) == (4, 4, 1.0)
    # Six previous weeks at 1 report per head: expected 4.0, Poisson(4) 2.5% point 1.
    assert (w47["expected_reports"], w47["hesitancy_lower_bound"], w47["hesitancy"]) == (
        4.0,
        1,
        False,
    )
    assert (w48["reports"], w48["heads"], w48["expected_reports"]) == (0, 4, 4.0)
    assert w48["hesitancy_lower_bound"] == 1 and w48["hesitancy"] is True
    # 0.5 h, 2 h, 26 h (Mon 10:00 -> Tue 12:00 = 7 + 3 = 10 working hours): medians 2 and 2.
    assert w47["to_first_acknowledgment"] == {
        "n": 3,
        "median_hours": 2.0,
        "median_working_hours": 2.0,
    }
    # 1 h and 50 h (Mon 7 + Tue 8 + Wed 3 = 18 working hours): medians 25.5 and 9.5.
    assert w47["to_named_triage_owner"] == {
        "n": 2,
        "median_hours": 25.5,
        "median_working_hours": 9.5,
    }
    assert w48["to_named_triage_owner"] == {
        "n": 0,
        "median_hours": None,
        "median_working_hours": None,
    }
    # Leavers: nobody exposed; of the 4 in post on 16 Nov one left (W-E3): 1/4, Wilson 95%.
    assert (w47["not_exposed_workers"], w47["not_exposed_leavers"]) == (4, 1)
    assert w47["not_exposed_leaver_rate"] == 0.25
    assert w47["not_exposed_leaver_rate_ci95"] == [0.0456, 0.6994]
    assert (w48["not_exposed_workers"], w48["not_exposed_leavers"]) == (4, 0)
    assert w47["exposed_workers"] == 0 and w47["exposed_leaver_rate_ci95"] is None

    as_csv = await api.get("/analytics/series", "E-INSPECTOR", params={**params, "format": "csv"})
    lines = list(csv.DictReader(io.StringIO(as_csv.text)))
    east = [r for r in lines if r["group"] == TEAM]
    assert [r["hesitancy"] for r in east] == ["False", "True"]
    assert east[0]["median_working_hours_to_named_triage_owner"] == "9.5"
    # All groups, per period: the medians over every report (the JSON's totals), not of medians.
    body = response.json()
    for total in body["totals"]:
        (line,) = [r for r in lines if (r["period"], r["group"]) == (total["period"], "all groups")]
        assert line["reports"] == str(total["reports"])
        median = total["to_named_triage_owner"]["median_working_hours"]
        assert line["median_working_hours_to_named_triage_owner"] == (
            "" if median is None else str(median)
        )
        groups = [r for r in body["rows"] if r["period"] == total["period"]]
        assert line["heads"] == str(sum(r["heads"] for r in groups))
        assert line["hesitancy"] == str(any(r["hesitancy"] for r in groups))
    assert [r["hesitancy"] for r in lines if r["group"] == "all groups"][-1] == "True"
    assert (await api.get("/analytics/series", "W-100", params=params)).status_code == 403


async def test_leavers_count_only_people_employed_at_the_start(database_url, sessions, api_for):
    await seed(sessions)
    api = await api_for(database_url)
    params = {"from": "2026-11-01", "to": "2026-11-30", "period": "month"}
    body = (await api.get("/analytics/workforce", "E-INSPECTOR", params=params)).json()
    east = next(r for r in body["leavers"] if r["service_line"] == TEAM)
    # W-E5 started on 20 November: not employed on the 1st, so not counted for November.
    assert (east["not_exposed_workers"], east["not_exposed_leavers"]) == (4, 1)
    assert east["not_exposed_leaver_rate_ci95"] == [0.0456, 0.6994]


async def test_an_unfinished_period_is_expected_in_proportion(database_url, sessions, api_for):
    """Week 48 cut at Tuesday 24 Nov (2 of 7 days), no report yet: the six weeks before average
    1 report per head, 4 heads, so expected 4 × 2/7 = 1.14; P(X = 0) = e^-1.14 = 0.32 is above
    2.5%, so the lower bound is 0 and nothing is flagged (the whole week: expected 4, bound 1,
    flagged, as above). Risk domains have no head count: said, not left blank."""
    await seed(sessions)
    api = await api_for(database_url)
    params = {"from": "2026-11-23", "to": "2026-11-24", "period": "week"}
    body = (await api.get("/analytics/series", "E-INSPECTOR", params=params)).json()
    (w48,) = [r for r in body["rows"] if r["service_line"] == TEAM]
    assert (w48["period"], w48["last_day"], w48["reports"], w48["heads"]) == (
        "2026-W48",
        "2026-11-24",
        0,
        4,
    )
    assert (w48["expected_reports"], w48["hesitancy_lower_bound"], w48["hesitancy"]) == (
        1.14,
        0,
        False,
    )
    assert body["not_available"] == []
    by_domain = await api.get(
        "/analytics/series", "E-INSPECTOR", params={**params, "group": "risk_domain"}
    )
    gaps = {gap["measure"] for gap in by_domain.json()["not_available"]}
    assert gaps == {"reports_per_head", "leavers"}

    weeks = {"from": "2026-11-16", "to": "2026-11-29", "period": "week", "format": "csv"}
    as_csv = await api.get("/analytics/series", "E-INSPECTOR", params=weeks)
    east = [r for r in csv.DictReader(io.StringIO(as_csv.text)) if r["group"] == TEAM]
    # 1 of 4 not-exposed workers left in week 47: Wilson 95% [0.0456, 0.6994]; none exposed.
    assert (
        east[0]["not_exposed_leaver_rate_ci95_low"],
        east[0]["not_exposed_leaver_rate_ci95_high"],
    ) == (
        "0.0456",
        "0.6994",
    )
    assert east[0]["exposed_leaver_rate_ci95_low"] == ""


async def test_hesitancy_needs_three_earlier_periods(database_url, sessions, api_for):
    """DN-WEST's two workers start on Monday 2 Nov (week 45) and send 10 reports in each of
    weeks 45 and 46, none after. Week 47 has only two earlier weeks with a head count: not
    assessed (no expected count, not flagged), however few its reports. Week 48 has three:
    (5 + 5 + 0) / 3 = 3.33 reports per head × 2 heads = 6.67 expected; Poisson(6.67):
    P(X <= 1) = 0.0098, P(X <= 2) = 0.0380, so the lower bound is 2 and 0 reports is flagged."""
    team = [
        {**worker(f"W-W{i}", "2026-11-02"), "service_line": "DN-WEST", "manager_line": "ML-WEST"}
        for i in (1, 2)
    ]
    await load(sessions, "staff-directory", staff_rows() + team)
    monday_w45 = MONDAY_W47 - timedelta(weeks=2)
    await load_reports(
        sessions,
        [
            report_rows(f"NM-DW{week}-{i}", ack_minutes=60, employee_id=f"W-W{i % 2 + 1}",
                        submitted_at=monday_w45 + timedelta(weeks=week, hours=i),
                        service_line="DN-WEST")
            for week in (0, 1) for i in range(10)
        ],
    )  # fmt: skip
    api = await api_for(database_url)
    params = {"from": "2026-11-16", "to": "2026-11-29", "period": "week"}
    body = (await api.get("/analytics/series", "E-INSPECTOR", params=params)).json()
    w47, w48 = [r for r in body["rows"] if r["service_line"] == "DN-WEST"]
    assert (w47["reports"], w47["heads"]) == (0, 2)
    assert (w47["expected_reports"], w47["hesitancy_lower_bound"], w47["hesitancy"]) == (
        None,
        None,
        False,
    )
    assert (w48["expected_reports"], w48["hesitancy_lower_bound"], w48["hesitancy"]) == (
        6.67,
        2,
        True,
    )


async def test_an_unfinished_month_is_expected_in_proportion(database_url, sessions, api_for):
    """November cut at the 15th (15 of 30 days). History May-October: 16 reports (weeks 41-44
    start in October), 4 heads each month: (0 × 5 + 16 / 4) / 6 = 0.667 per head × 4 heads ×
    15/30 = 1.33 expected (2.67 for the whole month); Poisson(1.33) puts 26% on 0, so the
    bound is 0. November's first half has weeks 45 and 46: 8 reports."""
    await seed(sessions)
    api = await api_for(database_url)
    params = {"from": "2026-11-01", "to": "2026-11-15", "period": "month"}
    body = (await api.get("/analytics/series", "E-INSPECTOR", params=params)).json()
    (november,) = [r for r in body["rows"] if r["service_line"] == TEAM]
    assert (november["reports"], november["heads"], november["expected_reports"]) == (8, 4, 1.33)
    assert (november["hesitancy_lower_bound"], november["hesitancy"]) == (0, False)


async def test_totals_take_the_median_over_every_report(database_url, sessions, api_for):
    """Week 47 with two more reports from HC-NORTH, acknowledged after 1 h (Monday 10:00 to
    11:00). Six reports, five acknowledged: 0.5, 1, 1, 2 and 26 h (10 working h): median 1 h
    and 1 working h, where the median of the two groups' medians (2 and 1) would be 1.5.
    Triage owners are named only on HC-EAST's reports: 1 h and 50 h, as above."""
    await seed(sessions)
    await load_reports(
        sessions,
        [
            report_rows(f"NM-N47-{i}", submitted_at=MONDAY_W47, ack_minutes=60,
                        employee_id="W-100", service_line="HC-NORTH")
            for i in (0, 1)
        ],
    )  # fmt: skip
    api = await api_for(database_url)
    params = {"from": "2026-11-16", "to": "2026-11-22", "period": "week"}
    body = (await api.get("/analytics/series", "E-INSPECTOR", params=params)).json()
    (w47,) = body["totals"]
    assert (w47["period"], w47["reports"]) == ("2026-W47", 6)
    assert w47["to_first_acknowledgment"] == {
        "n": 5,
        "median_hours": 1.0,
        "median_working_hours": 1.0,
    }
    assert w47["to_named_triage_owner"]["median_working_hours"] == 9.5
    north = next(r for r in body["rows"] if r["service_line"] == "HC-NORTH")
    assert north["to_first_acknowledgment"]["median_hours"] == 1.0
