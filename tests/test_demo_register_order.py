"""The demo's past cases (store/demo_cases.py, store/demo_repairs.py) on the generated demo feeds,
SQLite and PostgreSQL: every register they write is append-only in time, as a register kept by
the workflows is (an entry is never recorded before the one it follows), and each step's
timeline event names its own entry."""

from __future__ import annotations

from sqlalchemy import select

from domain.learning import DEFAULT_ANCHOR
from store.demo_cases import seed_cases
from store.demo_history import oldest_month, seed_history
from store.demo_repairs import seed_repairs
from store.tables import CaseEvent, RegisterEntry
from tests.demo_history_support import AS_OF, CALENDAR, load_demo


async def test_every_demo_register_goes_forward_in_time(database_url, sessions):
    await load_demo(database_url)
    async with sessions() as session, session.begin():
        await seed_history(session, AS_OF, CALENDAR, DEFAULT_ANCHOR)
        cases = await seed_cases(session, CALENDAR, AS_OF.date(), DEFAULT_ANCHOR)
        cases += await seed_repairs(session, CALENDAR, DEFAULT_ANCHOR, oldest_month(AS_OF.date()))
    async with sessions() as session:
        rows = (await session.scalars(select(RegisterEntry))).all()
        submitted = CaseEvent.kind == "step_submitted"
        found = select(CaseEvent).where(CaseEvent.case_id.in_(cases), submitted)
        steps = (await session.scalars(found)).all()
    by_register: dict[str, list[RegisterEntry]] = {}
    for row in sorted(rows, key=lambda r: (r.register, r.seq)):
        by_register.setdefault(row.register, []).append(row)
    case_registers = {r.register for r in rows if r.subject in cases}
    assert len(case_registers) >= 6, case_registers  # three examples, two registers or more each
    for register, entries in by_register.items():
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1)), register
        times = [(e.recorded_at, e.subject) for e in entries]
        assert times == sorted(times, key=lambda t: t[0]), (register, times)
    # each step's event names the entry it recorded: same register, subject, time and kind
    entry = {(r.register, r.seq): r for r in rows}
    assert len(steps) >= 9, steps
    for event in steps:
        named = entry[(event.detail["register"], event.detail["seq"])]
        assert named.subject == event.case_id
        assert named.recorded_at == event.at
        assert named.kind == event.detail["step"].replace("-", "_")
