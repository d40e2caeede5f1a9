"""Packs and the evidence pack on the seeded set (tests/pack_seed.py): a pack stored as the pack
workflow stores it, the evidence pack's range and clock, and a section or block of either."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.calendar import BusinessCalendar, CalendarConfig
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from store import packs as pack_store
from tests.pack_seed import NOW

CALENDAR = BusinessCalendar(CalendarConfig())


def section(doc: dict[str, Any], title: str) -> dict[str, Any]:
    found = [s for s in doc["sections"] if s["title"].startswith(title)]
    assert len(found) == 1, [s["title"] for s in doc["sections"]]
    return found[0]


def block(sec: dict[str, Any], kind: str, index: int = 0) -> dict[str, Any]:
    return [b for b in sec["blocks"] if b["type"] == kind][index]


async def stored(sessions: Any, kind: str, period: str) -> dict[str, Any]:
    spec = PACKS[kind]
    async with sessions() as session, session.begin():
        ids = await pack_store.awaiting_cases(session, spec, period, CALENDAR, DEFAULT_ANCHOR)
        pack = await pack_store.create_pack(
            session, spec, period, ids, NOW, CALENDAR, DEFAULT_ANCHOR
        )
        return {"case_ids": ids, **pack.content}


EVIDENCE_NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RANGE = {"from": "2026-11-01", "to": "2026-11-30"}


async def evidence_clock() -> datetime:
    return EVIDENCE_NOW
