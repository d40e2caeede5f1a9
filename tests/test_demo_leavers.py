"""The demo's leavers (cli/demo_data.py): besides Leah Morgan (E0091, HC-NORTH, no weak
response), three workers left in the last weeks, two of them after a report of theirs was
acknowledged late (the past daily reviews class it emerging and critical), so the dashboard's
and the evidence pack's leavers exposed against not exposed have figures on both sides (SQLite
and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cli.demo_cmd import load_demo_data
from cli.demo_data import generate
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.learning import DEFAULT_ANCHOR
from domain.roles import Role
from store.analytics_leavers import first_exposures
from store.demo_history import seed_history
from store.staff import staff_with_role
from store.tables import ReviewItem
from tests.evidence_oracle_support import first_exposures as first_exposures_oracle

AS_OF = datetime(2026, 11, 30, 7, 0, tzinfo=ZoneInfo("Europe/London"))
CALENDAR = BusinessCalendar(CalendarConfig())


async def test_leavers_exposed_and_not_exposed_have_figures(database_url, sessions, api_for):
    """November 2026 (the demo's as-of is Mon 30 Nov): Nia Barker (E0092, HC-SOUTH) reported
    on Thu 5 Nov 10:30, acknowledged 25 h later (the 9 Nov review classes it emerging), left
    24 Nov; Tomasz Wood (E0093, DN-CITY) reported Tue 10 Nov, acknowledged 50 h later
    (critical on 12 Nov), left 27 Nov; Ruth Ellis (E0094, SL-EAST) acknowledged within the
    hour, left 20 Nov; Leah Morgan (E0091, HC-NORTH) left 18 Nov."""
    data = generate(7, 120, AS_OF)
    staff = {p["employee_id"]: p for p in data["staff-directory"]}
    assert [staff[e]["left_at"] for e in ("E0091", "E0092", "E0093", "E0094")] == [
        "2026-11-18",
        "2026-11-24",
        "2026-11-27",
        "2026-11-20",
    ]
    await load_demo_data(database_url, data, datetime.now(UTC))
    async with sessions() as session, session.begin():
        await seed_history(session, AS_OF, CALENDAR, DEFAULT_ANCHOR)
        inspector = (await staff_with_role(session, Role.INSPECTOR))[0].employee_id
        # each worker's first weak response from the indexed column, as from the documents
        for end in ("2026-11-08", "2026-11-10", "2026-11-29"):
            day = date.fromisoformat(end)
            want = await first_exposures_oracle(session, day, "Europe/London")
            assert await first_exposures(session, day, "Europe/London") == want
        assert want  # the demo's past reviews expose workers
        items = (await session.execute(select(ReviewItem.employee_id, ReviewItem.fields))).all()
        assert items and all(e == f.get("employee_id") for e, f in items)
    api = await api_for(database_url)
    params = {"from": "2026-11-01", "to": "2026-11-29"}
    body = (await api.get("/analytics/workforce", inspector, params=params)).json()
    totals = {r["service_line"]: r for r in body["leavers_over_range"]}
    left = {
        line: (r["exposed_leavers"], r["exposed_workers"], r["not_exposed_leavers"],
               r["not_exposed_workers"])
        for line, r in totals.items()
    }  # fmt: skip
    # (exposed: left, of workers; not exposed: left, of workers), workers in post on 1 Nov
    assert left == {
        "DN-CITY": (1, 2, 0, 8),  # Tomasz Wood
        "HC-NORTH": (0, 4, 1, 6),  # Leah Morgan
        "HC-SOUTH": (1, 5, 0, 5),  # Nia Barker
        "SL-EAST": (0, 3, 1, 6),  # Ruth Ellis
    }
    # Wilson 95% (z = 1.96): 1 of 2 → 0.5 ± 1.96 √(0.125 + 0.2401) / 2.9208 = 0.5 ± 0.4055;
    # 1 of 5 → (0.2 + 0.3842) / 1.7683 = 0.3304 ± 1.96 √(0.032 + 0.0384) / 1.7683 = ± 0.2941
    assert totals["DN-CITY"]["exposed_leaver_rate_ci95"] == [0.0945, 0.9055]
    assert totals["HC-SOUTH"]["exposed_leaver_rate_ci95"] == [0.0362, 0.6245]
    assert totals["HC-SOUTH"]["exposed_leaver_rate"] == 0.2

    doc = (await api.get("/evidence", inspector, params=params)).json()
    trends = next(s for s in doc["sections"] if s["title"].startswith("Speaking-up confidence"))
    table = next(b for b in trends["blocks"] if b["type"] == "table")
    assert table["rows"] == [
        ["DN-CITY", "1 of 2", "0 of 8"],
        ["HC-NORTH", "0 of 4", "1 of 6"],
        ["HC-SOUTH", "1 of 5", "0 of 5"],
        ["SL-EAST", "0 of 3", "1 of 6"],
    ]
