"""Migration 0018 on SQLite and PostgreSQL holding data: each open obligation's place in "my
work" (``sort_at``) is its deadline, except a pathway's acceptance, which takes the earliest of
it and its case's actions (they wait for it); the new page reads then find them in that order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from domain.roles import Role
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade
from store.my_work import case_obligations
from tests.migration_support import empty_url as empty_url  # the fixture

DUE = datetime(2026, 12, 9, 12, tzinfo=UTC)
ROLE = Role.NEAR_MISS_GOVERNANCE_SUPERVISOR


async def test_sort_at_is_backfilled_with_an_acceptance_before_its_actions(
    empty_url: str,
) -> None:
    await upgrade(empty_url, "0017")
    sqlite = empty_url.startswith("sqlite")
    names = ("case_id", "key", "role", "assignee", "title", "deadline", "case_status")
    owed = sa.table("case_open_obligations", *(sa.column(n) for n in names))
    rows = [
        ("c-1", "pathway-acceptance", None, "E-OWNER", "Accept", DUE + timedelta(days=3)),
        ("c-1", "action:call", None, "E-OWNER", "Call", DUE + timedelta(days=1)),
        ("c-1", "action:write", None, "E-OWNER", "Write", DUE + timedelta(days=2)),
        ("c-2", "pathway-acceptance", None, "E-OWNER", "Accept 2", DUE),  # no action: its own
        ("c-3", "triage-attribution", ROLE.value, None, "Triage", DUE + timedelta(hours=1)),
    ]
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(owed),
                [dict(zip(names, (*row[:5], row[5].replace(tzinfo=None) if sqlite else row[5],
                                  "open"), strict=True)) for row in rows],
            )  # fmt: skip
        await upgrade(empty_url)
        async with make_sessionmaker(engine)() as session:
            mine = await case_obligations(session, "E-OWNER", frozenset({ROLE}))
    finally:
        await engine.dispose()
    assert [(o.case.case_id, o.key, o.sort_at, o.deadline) for o in mine] == [
        ("c-2", "pathway-acceptance", DUE, DUE),
        ("c-3", "triage-attribution", DUE + timedelta(hours=1), DUE + timedelta(hours=1)),
        ("c-1", "pathway-acceptance", DUE + timedelta(days=1), DUE + timedelta(days=3)),
        ("c-1", "action:call", DUE + timedelta(days=1), DUE + timedelta(days=1)),
        ("c-1", "action:write", DUE + timedelta(days=2), DUE + timedelta(days=2)),
    ]
