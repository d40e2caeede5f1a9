"""Pack periods and content on the small seeded set (tests/pack_seed.py), SQLite and PostgreSQL.

Every expected figure is counted by hand from the seed; the pack is read over HTTP (stored
content, so no Temporal) and its JSON sections are checked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain import names
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from store import pack_outcomes, pack_weekly
from store import packs as pack_store
from tests.factories import load, staff_rows
from tests.pack_seed import (
    C3,
    C9,
    L2,
    NM1,
    NOW,
    at,
    fixed_clock,
    seed_learning_closure,
    seed_weekly,
)
from tests.pack_support import CALENDAR, block, section, stored
from tests.stored_rows import item, review

WEEKLY = PACKS[names.PACK_WEEKLY]
ANALYST = "Aled Price (E-ANALYST)"  # names, not IDs (the staff directory of tests.pack_seed)


@pytest.fixture
async def week_48(sessions: Any) -> dict[str, Any]:
    """The weekly pack of week 48, stored from the seeded set."""
    async with sessions() as session, session.begin():
        await seed_weekly(session)
    return await stored(sessions, names.PACK_WEEKLY, "2026-W48")


async def test_weekly_pack_is_tied_to_its_week(week_48):
    doc = week_48
    assert doc["case_ids"] == [NM1]  # NM-2 is not awaiting; NM-9 opened in week 49
    assert doc["subtitle"] == "week 48 of 2026 (23 November 2026 to 29 November 2026)"
    summary = dict(block(section(doc, "Summary"), "figures")["items"])
    assert summary == {
        "Daily reviews": 2,
        "Report reviews": 7,
        "Cases opened": 2,
        "Cases awaiting visibility": 1,
    }
    daily = section(doc, "Daily reviews (2 reviews)")
    assert block(daily, "table")["rows"] == [
        ["Tue 24 Nov 2026", f"reviewed by {ANALYST} at Tue 24 Nov 2026, 09:10", 4, 1, 1, 1, 1],
        ["Wed 25 Nov 2026", "not marked reviewed", 3, 1, 0, 2, 0],
    ]
    chart = block(daily, "chart")
    assert chart["categories"] == ["Tue 24 Nov 2026", "Wed 25 Nov 2026"]
    assert chart["series"][2] == {"name": "critical exposure", "values": [1.0, 2.0]}
    lines = section(doc, "Threshold breaches by service line")
    assert block(lines, "table")["rows"] == [
        ["HC-NORTH", 0, 0, 2, 0, 2],
        ["HC-SOUTH", 1, 0, 0, 1, 0],
    ]
    exceptions = section(doc, "Exceptions (1 report not reconciled)")
    assert block(exceptions, "table")["rows"] == [
        ["NM-4", "Tue 24 Nov 2026", "missing in workforce-reporting-log"]
    ]


async def test_weekly_pack_names_its_awaiting_cases_breaches_and_late_steps(week_48):
    doc = week_48
    awaiting = block(section(doc, "Cases awaiting visibility"), "table")["rows"]
    assert len(awaiting) == 1 and awaiting[0][:6] == [
        NM1,
        "HC-NORTH",
        "critical exposure",
        "senior acknowledgment",
        "Tomasz Nowak (E-OWNER)",
        "awaiting pack visibility",
    ]
    lines = awaiting[0][6].split("\n")  # each deadline once, one a line (walk of 7 December)
    assert "Owner acceptance: due Wed 25 Nov 2026, 17:00; done Thu 26 Nov 2026, 10:00" in lines
    assert "Worker communication: due Fri 27 Nov 2026, 17:00" in lines
    assert not any(line.startswith("Worker communication deadline") for line in lines), lines
    breaches = section(doc, "Breaches and escalation levels reached")
    assert block(breaches, "chart")["series"][0]["values"] == [2.0, 1.0, 1.0, 0.0]
    assert block(breaches, "table")["rows"] == [
        [
            NM1,
            "triage-failure attribution",
            "Tue 24 Nov 2026, 17:00",
            1,
            "Wed 25 Nov 2026, 10:00",
            "17.0 h",
            "1.0 h",
        ],
        [
            "ack-case-NM-2",
            "retention impact analysis",
            "Thu 26 Nov 2026, 13:00",
            3,
            "still open",
            "26.0 h",
            "10.0 h",
        ],
    ]
    late = section(doc, "Late steps (2 late completions)")
    assert block(late, "table")["rows"] == [
        [NM1, "triage-failure attribution", "Nia Hughes (E-SUPERVISOR)", "Wed 25 Nov 2026, 10:00"],
        [NM1, "owner acceptance", "Tomasz Nowak (E-OWNER)", "Thu 26 Nov 2026, 10:00"],
    ]


async def test_a_review_still_being_built_is_not_in_the_pack(sessions):
    """A review whose items are still arriving (``building``: store.review_visibility) is in no
    pack, nor are its items, though the pack reads its rows outside the ORM."""
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        half = review(names.EXAMPLE_ACKNOWLEDGMENT, "2026-11-26", at(26, 7))
        half.status = "building"
        session.add_all([half, item(half.review_id, "NM-30", "critical")])
    doc = await stored(sessions, names.PACK_WEEKLY, "2026-W48")
    summary = dict(block(section(doc, "Summary"), "figures")["items"])
    assert (summary["Daily reviews"], summary["Report reviews"]) == (2, 7)
    assert section(doc, "Daily reviews (2 reviews)")


async def test_next_week_lists_its_own_cases_and_reviews(sessions):
    async with sessions() as session, session.begin():
        await seed_weekly(session)
    doc = await stored(sessions, names.PACK_WEEKLY, "2026-W49")
    assert doc["case_ids"] == ["ack-case-NM-9"]  # NM1 is week 48's while that pack is unpublished
    assert block(section(doc, "Daily reviews"), "table")["rows"][0][:3] == [
        "Mon 30 Nov 2026",
        "not marked reviewed",
        1,
    ]
    assert section(doc, "Late steps (0 late completions)")


async def test_periods_must_exist_and_have_begun(database_url, api_for, sessions):
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(database_url)
    api.app.state.clock = fixed_clock  # Friday 27 November 2026
    cases = {
        "/packs/monthly-board/2031-07": "2031-07 has not begun (it starts on 2031-07-01",
        "/packs/monthly-board/2026-12": "2026-12 has not begun",
        "/packs/weekly-sustainability/2026-W49": "2026-W49 has not begun",
        "/packs/weekly-sustainability/2026-W54": "2026-W54 is not a valid date",
        "/packs/weekly-sustainability/2026-11": "expected an ISO week, e.g. 2026-W48",
        "/packs/monthly-board/2026-13": "2026-13 is not a valid date",
        "/packs/fortnightly-governance/2026-11-24": (
            "2026-11-24 is not the start of a 14-day cycle; the nearest are 2026-11-23 or "
            "2026-12-07"
        ),
        "/packs/fortnightly-governance/2025-12-01": "the nearest are 2026-01-05",
        "/packs/fortnightly-governance/2026-12-07": "2026-12-07 has not begun",
    }
    for url, message in cases.items():
        for call in (api.get(url, "E-INSPECTOR"), api.post(f"{url}/publish", "E-DIRECTOR")):
            response = await call
            assert response.status_code == 422, (url, response.text)
            errors = response.json()["errors"]
            assert errors[0]["field"] == "period" and message in errors[0]["message"], errors
    async with sessions() as session:
        assert await pack_store.get_pack(session, names.PACK_MONTHLY, "2031-07") is None
    assert date(2026, 11, 23) - DEFAULT_ANCHOR == (date(2026, 11, 23) - date(2026, 1, 5))


async def test_monthly_board_pack_shows_the_review_run_in_its_month(sessions):
    async with sessions() as session, session.begin():
        await seed_learning_closure(session)
    doc = await stored(sessions, names.PACK_MONTHLY, "2026-11")
    assert doc["case_ids"] == [C3]  # failed, awaiting board visibility
    # the title's month and the closures' month said together, as the summary says them
    assert doc["subtitle"] == "November 2026 — closures of October 2026, reviewed in November"
    assert block(section(doc, "Summary"), "text", 1)["text"].startswith("Closures of October 2026.")
    assert dict(block(section(doc, "Summary"), "figures")["items"]) == {
        "Closures reviewed": 4,
        "Employee-confirmed": "1 of 3 (33%)",
        "Reopened within 30 days": "1 of 3 (33%)",
        "Failed cases awaiting board visibility": 1,
    }
    lines = section(doc, "Closure credibility by service line")
    assert block(lines, "table")["rows"] == [["HC-NORTH", 1, 1, 0], ["HC-SOUTH", 0, 0, 1]]
    assert block(lines, "chart")["series"][2] == {
        "name": "failed closure credibility",
        "values": [0.0, 1.0],
    }
    reviewers = section(doc, "Closure credibility by reviewer")
    assert block(reviewers, "table")["rows"] == [["role a", 1, 1, 0], ["role b", 0, 0, 1]]
    repairs = section(doc, "Repair validations and minuted escalations")
    assert block(repairs, "table")["rows"] == [
        [C9, "Thu 26 Nov 2026, 11:00", "close", "credible closure", 2, 4, "—"]
    ]
    confidence = block(section(doc, "Confidence before and after repair"), "chart")
    assert confidence["categories"] == ["C-9"]  # the closure's reference, not its case ID
    assert confidence["series"] == [
        {"name": "before", "values": [2.0]},
        {"name": "after", "values": [4.0]},
    ]
    # December shows no review yet (October's review ran in November).
    december = await stored(sessions, names.PACK_MONTHLY, "2026-12")
    assert dict(block(section(december, "Summary"), "figures")["items"])["Closures reviewed"] == 0


async def test_fortnightly_summary_shows_its_cycle_audit(sessions):
    async with sessions() as session, session.begin():
        await seed_learning_closure(session)
    doc = await stored(sessions, names.PACK_FORTNIGHTLY, "2026-11-09")
    assert doc["case_ids"] == [L2]  # opened on the audit day, after the cycle
    assert doc["subtitle"] == "cycle of 9 November 2026 to 22 November 2026"
    indicators = section(doc, "Audit counts by indicator")
    assert dict(block(indicators, "figures")["items"]) == {
        "visible learning closure": 1,
        "emerging exposure": 1,
        "critical exposure": 1,
        "exceptions": 1,
    }
    assert block(indicators, "table")["rows"] == [
        ["corrective action incomplete at closure", 0, 1, 1],
        ["no feedback to reporter", 1, 0, 1],
        ["no shared learning despite wider relevance", 0, 0, 0],
        ["recurrence within 30 days", 0, 1, 1],
        ["corrective action overdue", 0, 0, 0],
    ]
    pathways = block(section(doc, "Stabilization pathways"), "table")["rows"]
    assert [r[:5] for r in pathways] == [
        [L2, "HC-NORTH", "critical exposure", "controlled bulletin", "Tomasz Nowak (E-OWNER)"]
    ]
    recurrence = block(section(doc, "Recurrence"), "table")["rows"]
    assert recurrence == [["medication", 2, 0, 0], ["route travel", 1, 1, 2]]
    following = await stored(sessions, names.PACK_FORTNIGHTLY, "2026-11-23")
    assert following["case_ids"] == []  # L2 is its audit's cycle's (2026-11-09) only


async def test_a_case_is_listed_by_one_pack_only(sessions):
    """A case awaiting visibility is listed by the pack of the period covering its review; the
    next period's pack lists it only once that pack was published without it (the case came to
    await visibility afterwards), and then the earlier, published pack keeps its frozen list."""
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await seed_learning_closure(session)
    spec = PACKS[names.PACK_FORTNIGHTLY]
    for kind, home, following, case in (
        (names.PACK_WEEKLY, "2026-W48", "2026-W49", NM1),
        (names.PACK_FORTNIGHTLY, "2026-11-09", "2026-11-23", L2),
    ):
        spec = PACKS[kind]
        async with sessions() as session, session.begin():
            first = await pack_store.create_pack(
                session, spec, home, [], NOW, CALENDAR, DEFAULT_ANCHOR
            )
            assert await pack_store.awaiting_cases(
                session, spec, home, CALENDAR, DEFAULT_ANCHOR
            ) == [case]
            assert case not in await pack_store.awaiting_cases(
                session, spec, following, CALENDAR, DEFAULT_ANCHOR
            )
            await pack_store.publish(session, spec, first, [], "E-DIRECTOR", NOW, CALENDAR,
                                     DEFAULT_ANCHOR)  # fmt: skip
        async with sessions() as session, session.begin():
            later = await pack_store.awaiting_cases(
                session, spec, following, CALENDAR, DEFAULT_ANCHOR
            )
            assert case in later, (kind, later)
            assert (
                await pack_store.awaiting_cases(session, spec, home, CALENDAR, DEFAULT_ANCHOR) == []
            )  # published: it lists nothing new


async def test_an_unpublished_pack_is_read_as_of_now(database_url, api_for, sessions):
    """A pack of a running week shows the reviews so far each time it is read until it is
    published, and says so; an empty week says no review has run yet."""
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(database_url)
    api.app.state.clock = fixed_clock  # Friday 27 November 2026, 15:00: week 48 is running
    async with sessions() as session, session.begin():
        await pack_store.create_pack(session, WEEKLY, "2026-W48", [], NOW, CALENDAR,
                                     DEFAULT_ANCHOR)  # fmt: skip
    answer = await api.get("/packs/weekly-sustainability/2026-W48", "E-INSPECTOR")
    assert answer.status_code == 200, answer.text
    first = answer.json()
    daily = section(first["content"], "Daily reviews (0 reviews)")
    assert block(daily, "table")["empty"].startswith("No daily review has run in this week yet")
    note = block(section(first["content"], "Summary"), "text")["text"]
    assert note.startswith("The week is not over: this pack shows it as at Fri 27 Nov 2026, 15:00")
    async with sessions() as session, session.begin():
        await seed_weekly(session)
    again = (await api.get("/packs/weekly-sustainability/2026-W48", "E-INSPECTOR")).json()
    assert section(again["content"], "Daily reviews (2 reviews)")
    assert again["case_ids"] == [NM1]
    async with sessions() as session, session.begin():
        pack = await pack_store.get_pack(session, names.PACK_WEEKLY, "2026-W48")
        assert pack is not None
        await pack_store.publish(
            session, WEEKLY, pack, [NM1], "E-DIRECTOR", NOW, CALENDAR, DEFAULT_ANCHOR
        )
    page = await api.get(
        "/packs/weekly-sustainability/2026-W48", "E-INSPECTOR", params={"format": "html"}
    )
    assert "The week was not over when this pack was published: as at Fri 27 Nov 2026, 15:00." in (
        page.text
    )
    assert "read again" not in page.text


def test_empty_tables_by_a_field_say_so_in_a_sentence():
    """An empty 'By service line' table reads as a sentence, never "No by service line."."""
    weekly = block(pack_weekly._by_service_line([]), "table")
    assert weekly["empty"] == "No threshold breaches by service line."
    split = block(pack_outcomes._split([], "service_line", "service line"), "table")
    assert split["empty"] == "No closures reviewed by service line."
