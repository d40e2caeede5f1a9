"""Viewing an unpublished pack rebuilds and writes it only when what it reads changed
(store.packs.view, store.pack_inputs): a page view of the running week's pack with nothing new
is a read, one after a change shows the change; a published pack is never written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import names
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from store import packs as pack_store
from tests.pack_seed import NM1, NOW, at, seed_weekly
from tests.pack_support import CALENDAR, section
from tests.stored_rows import breach

WEEKLY = PACKS[names.PACK_WEEKLY]
WEEK = "2026-W48"


@contextmanager
def writes(engine: AsyncEngine) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements run on ENGINE inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _view(sessions: Any, when: Any) -> tuple[bool, Any]:
    async with sessions() as session, session.begin():
        pack = await pack_store.get_pack(session, names.PACK_WEEKLY, WEEK)
        assert pack is not None
        rebuilt = await pack_store.view(session, WEEKLY, pack, when, CALENDAR, DEFAULT_ANCHOR)
        return rebuilt, pack


async def test_a_second_view_with_nothing_changed_writes_nothing(engine, sessions):
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        ids = await pack_store.awaiting_cases(session, WEEKLY, WEEK, CALENDAR, DEFAULT_ANCHOR)
        await pack_store.create_pack(session, WEEKLY, WEEK, ids, NOW, CALENDAR, DEFAULT_ANCHOR)
    with writes(engine) as seen:
        rebuilt, pack = await _view(sessions, NOW + timedelta(minutes=20))
    assert (rebuilt, seen) == (False, [])
    assert pack.generated_at == NOW and pack.case_ids == [NM1]


async def test_a_view_after_a_change_shows_it(engine, sessions):
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await pack_store.create_pack(session, WEEKLY, WEEK, [], NOW, CALENDAR, DEFAULT_ANCHOR)
    before = (await _view(sessions, NOW))[1].content
    missed = section(before, "Breaches and escalation levels reached")["blocks"][1]["rows"]
    async with sessions() as session, session.begin():  # a new escalation in the week
        session.add(breach(NM1, "pathway-acceptance", at(26, 9), 1, at(26, 10)))
    later = NOW + timedelta(minutes=5)
    with writes(engine) as seen:
        rebuilt, pack = await _view(sessions, later)
    assert rebuilt and any("UPDATE packs" in s for s in seen)
    rows = section(pack.content, "Breaches and escalation levels reached")["blocks"][1]["rows"]
    assert len(rows) == len(missed) + 1
    assert pack.generated_at == later and pack.case_ids == [NM1]
    assert (await _view(sessions, later + timedelta(minutes=1)))[0] is False


async def test_the_hour_turning_rebuilds_once(sessions):
    """Figures that run on with the clock (how long a breach stays open) are at most an hour
    old: the first view in a new local hour rebuilds, the next one does not."""
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await pack_store.create_pack(session, WEEKLY, WEEK, [], NOW, CALENDAR, DEFAULT_ANCHOR)
    assert (await _view(sessions, NOW + timedelta(minutes=59)))[0] is False
    assert (await _view(sessions, NOW + timedelta(hours=1)))[0] is True
    assert (await _view(sessions, NOW + timedelta(hours=1, minutes=5)))[0] is False


async def test_a_published_pack_is_never_written(engine, sessions):
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        pack = await pack_store.create_pack(
            session, WEEKLY, WEEK, [], NOW, CALENDAR, DEFAULT_ANCHOR
        )
        await pack_store.publish(
            session, WEEKLY, pack, [NM1], "E-DIRECTOR", NOW, CALENDAR, DEFAULT_ANCHOR
        )
    async with sessions() as session, session.begin():  # its inputs change after publication
        session.add(breach(NM1, "pathway-acceptance", at(26, 9), 1, at(26, 10)))
    with writes(engine) as seen:
        rebuilt, pack = await _view(sessions, NOW + timedelta(hours=3))
    assert (rebuilt, seen, pack.generated_at) == (False, [], NOW)
