"""Migration 0030 on SQLite and PostgreSQL holding data: each open obligation's severity rank is
filled from its case's exposure (critical and failed 0, emerging and doubtful 1, the rest 2), so
"my work" then lists those due alike most severe first, then by case."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade
from store.my_work import case_obligations
from tests.migration_support import empty_url as empty_url  # the fixture

DUE = datetime(2026, 12, 9, 17, tzinfo=UTC)


async def test_severity_rank_is_backfilled_from_the_exposure(empty_url: str) -> None:
    await upgrade(empty_url, "0029")
    sqlite = empty_url.startswith("sqlite")
    names = ("case_id", "key", "assignee", "title", "deadline", "case_status", "exposure",
             "sort_at")  # fmt: skip
    owed = sa.table("case_open_obligations", *(sa.column(n) for n in names))
    due = DUE.replace(tzinfo=None) if sqlite else DUE
    exposures = {"c-1": "emerging", "c-2": None, "c-3": "critical", "c-4": "doubtful",
                 "c-5": "failed", "c-6": "within_tolerance"}  # fmt: skip
    rows = [
        dict(zip(names, (case_id, "step", "E-OWNER", "Step", due, "open", exposure, due),
                     strict=True))
        for case_id, exposure in exposures.items()
    ]  # fmt: skip
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.insert(owed), rows)
        await upgrade(empty_url)
        async with make_sessionmaker(engine)() as session:
            mine = await case_obligations(session, "E-OWNER", frozenset())
    finally:
        await engine.dispose()
    assert [(o.case.case_id, o.rank) for o in mine] == [
        ("c-3", 0), ("c-5", 0), ("c-1", 1), ("c-4", 1), ("c-2", 2), ("c-6", 2),
    ]  # fmt: skip
