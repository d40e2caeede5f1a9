"""The demo's past closure reviews and repairs (store/demo_repairs.py) on the generated demo
feeds, SQLite and PostgreSQL: August's failed and doubtful closures carried through their repair
into the monthly packs and the evidence pack; and with the whole history, every section of the
evidence pack and of the weekly and fortnightly packs shows something."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from domain import names
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from domain.roles import Role
from store import packs as pack_store
from store.demo_cases import seed_cases
from store.demo_history import oldest_month, seed_history
from store.demo_repairs import seed_repairs
from store.staff import staff_with_role
from store.tables import Case
from tests.demo_history_support import (
    AS_OF,
    CALENDAR,
    board_director,
    events_of,
    evidence,
    has_content,
    inspector_id,
    load_demo,
    monthly_packs,
    section,
    titled,
)


async def test_past_repairs_fill_the_monthly_packs_and_the_evidence_pack(
    database_url, sessions, api_for
):
    """The closure reviews of August and September 2026 (run 1 September and 1 October, signed
    off at 09:00 local) and August's failed (CC-9002, reopened 4 days after closure) and
    doubtful (CC-9003, final-action evidence "none") closures carried through their repair.

    Failed: opened 1 Sep 09:00 BST, adjudicated at 10:00 on Mon 7 Sep (due 3 working days
    after, Fri 4 Sep: a breach), pathway authorized Tue 8 Sep 10:00, accepted 12:00, made
    visible by the monthly board pack 2026-09 published by the director on Thu 10 Sep 12:00;
    validation opens 21 days later (1 Oct 12:00) and is done Fri 2 Oct 10:00: confidence 2 → 4,
    closed. Doubtful: accepted Wed 2 Sep 12:00 (active at once), validated Thu 24 Sep 10:00:
    no improvement, closed with the escalation minuted."""
    await load_demo(database_url)
    async with sessions() as session, session.begin():
        made = await seed_history(session, AS_OF, CALENDAR, DEFAULT_ANCHOR)
        assert made[-2:] == ["closure-review-2026-08", "closure-review-2026-09"]
        repairs = await seed_repairs(session, CALENDAR, DEFAULT_ANCHOR, oldest_month(AS_OF.date()))
    assert repairs == ["closure-case-CC-9002", "closure-case-CC-9003"]
    async with sessions() as session, session.begin():
        assert await seed_repairs(session, CALENDAR, DEFAULT_ANCHOR, "closure-review-2026-08") == []
        cases = {c.case_id: c for c in await session.scalars(select(Case))}
        director = await board_director(session)
        september, october = await monthly_packs(session)
        events = await events_of(session, repairs)
        inspector = await inspector_id(session)
    assert {(cases[c].stage, cases[c].status) for c in repairs} == {("closed", "closed")}
    assert max(e.at for e in events) < AS_OF
    closed = {e.case_id: e.detail["category"] for e in events if e.kind == "closed"}
    assert closed == {repairs[0]: "repaired", repairs[1]: "closed_with_escalation"}
    assert september is not None and september.case_ids == [repairs[0]]
    assert september.published_by == director.employee_id
    assert september.published_at == datetime(2026, 9, 10, 11, tzinfo=UTC)
    sep, oct_ = titled(september.content), titled(october.content)
    awaiting = sep["Failed cases awaiting board visibility"]["blocks"][1]["rows"]
    assert [r[0] for r in awaiting] == [repairs[0]]
    validated = oct_["Repair validations and minuted escalations"]["blocks"][0]["rows"]
    assert validated == [
        [repairs[0], "Fri 2 Oct 2026, 10:00", "close", "credible closure", 2, 4, "—"]
    ]
    assert dict(oct_["Summary"]["blocks"][-1]["items"])["Closures reviewed"] == 4
    for title in sep:  # every section of the monthly pack shows something in one of the two
        if title != "Signed register heads":
            assert has_content(sep[title]) or has_content(oct_.get(title, sep[title])), title

    doc = await evidence(api_for, database_url, inspector, "2026-08-01", "2026-11-29")
    figures = dict(section(doc, "Closure credibility")["blocks"][0]["items"])
    # the failed closures September's and October's reviews found: September's repaired and closed
    assert figures["Failed closures repaired and closed"] == "1 of 2 (50%)"
    assert figures["Closures classified (exceptions apart)"] >= 8
    sample = next(s for s in doc["sections"] if s["title"].startswith("Sample of complete"))
    chronology = next(
        b
        for b in sample["blocks"]
        if b.get("title", "").startswith(f"{cases[repairs[0]].reference} (")  # by its report
    )
    whats = {(r[0], r[1], r[2]) for r in chronology["rows"]}
    board = f"{director.display_name} ({director.employee_id})"
    # publication at noon BST on Thu 10 Sep; the worker asked again 7 days before the
    # validation opens (1 Oct 12:00): Thu 24 Sep, 12:00
    title = "Made visible in the monthly board workforce experience pack for September 2026."
    assert ("Thu 10 Sep 2026, 12:00", title, board) in whats
    asked = "Worker asked again to confirm the closure."
    assert ("Thu 24 Sep 2026, 12:00", asked, "the service") in whats


async def test_every_evidence_section_and_pack_section_has_content(database_url, sessions, api_for):
    """With the whole demo history (reviews, the five past cases, the board pack), every section
    of the evidence pack over the history's range shows something, and so does every section of
    the weekly and fortnightly packs in one of the history's periods: 'Cases awaiting
    visibility' too, in the published packs that made the past cases visible."""
    await load_demo(database_url)
    async with sessions() as session, session.begin():
        await seed_history(session, AS_OF, CALENDAR, DEFAULT_ANCHOR)
        await seed_cases(session, CALENDAR, AS_OF.date())
        await seed_repairs(session, CALENDAR, DEFAULT_ANCHOR, oldest_month(AS_OF.date()))
        inspector = (await staff_with_role(session, Role.INSPECTOR))[0].employee_id
        shown: dict[str, dict[str, bool]] = {}
        for kind, periods in (
            (names.PACK_WEEKLY, ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]),
            (names.PACK_FORTNIGHTLY, ["2026-10-12", "2026-10-26", "2026-11-09"]),
        ):
            for period in periods:
                pack = await pack_store.get_pack(session, kind, period) or (
                    await pack_store.create_pack(
                        session, PACKS[kind], period, [], AS_OF, CALENDAR, DEFAULT_ANCHOR
                    )
                )
                for sec in pack.content["sections"]:
                    seen = shown.setdefault(kind, {})
                    seen[sec["title"].split(" (")[0]] = seen.get(
                        sec["title"].split(" (")[0], False
                    ) or has_content(sec)
    for kind, seen in shown.items():
        empty = [t for t, ok in seen.items() if not ok and t != "Signed register heads"]
        assert empty == [], kind

    api = await api_for(database_url)
    params = {"from": "2026-08-01", "to": "2026-11-29"}
    doc = (await api.get("/evidence", inspector, params=params)).json()
    empty = [s["title"] for s in doc["sections"][1:] if not has_content(s)]
    assert empty == []
