"""On PostgreSQL a pack's reads run straight on asyncpg (``store.driver_rows``); with a
statement listener on the engine (tracing, a round-trip count) they take SQLAlchemy's path.
Both give the same pack, byte for byte, for every kind on the seeded set."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import event

from domain import names
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from store import driver_rows
from store import packs as pack_store
from store.db import make_engine, make_sessionmaker
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.pack_seed import NOW, seed_learning_closure, seed_weekly
from tests.pack_support import CALENDAR

pytestmark = pytest.mark.postgres

PERIODS = [
    (names.PACK_WEEKLY, "2026-W48"),
    (names.PACK_WEEKLY, "2026-W49"),
    (names.PACK_FORTNIGHTLY, "2026-11-09"),
    (names.PACK_FORTNIGHTLY, "2026-11-23"),
    (names.PACK_MONTHLY, "2026-11"),
    (names.PACK_MONTHLY, "2026-12"),
]


async def _packs(sessions: Any) -> list[str]:
    found = []
    for kind, period in PERIODS:
        spec = PACKS[kind]
        async with sessions() as session, session.begin():
            ids = await pack_store.awaiting_cases(session, spec, period, CALENDAR, DEFAULT_ANCHOR)
            doc = await pack_store.content(
                session, spec, period, ids, NOW, CALENDAR, DEFAULT_ANCHOR
            )
        found.append(json.dumps({"ids": ids, "doc": doc}, default=str))
    return found


async def test_the_driver_path_and_sqlalchemys_give_the_same_packs(postgres_url):
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine, TEST_SIGNING_KEY)
    try:
        async with sessions() as session, session.begin():
            await seed_weekly(session)
            await seed_learning_closure(session)
        driver_rows._PLANS.clear()
        direct = await _packs(sessions)
        assert driver_rows._PLANS  # the reads went to the driver
        seen: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        driver_rows._PLANS.clear()
        through_sqlalchemy = await _packs(sessions)
        assert not driver_rows._PLANS and len(seen) > 10 * len(PERIODS)
    finally:
        await engine.dispose()
    assert direct == through_sqlalchemy
    assert all('"Summary"' in doc for doc in direct)
