"""On PostgreSQL, my work and GET /cases?overdue=true use their partial indexes (open rows only)
in a generic plan too. asyncpg prepares every statement, and PostgreSQL plans a prepared
statement generically from its sixth execution on a connection: with ``status = $1`` bound, the
plan cannot use an index whose predicate is ``status = 'open'`` and read every obligation the
person has (bench/RESULTS.md, "Eighth session"). Plans only: nothing here is timed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from domain.roles import Role
from store.cases import list_cases
from store.db import make_engine, make_sessionmaker
from store.my_work import OwedAfter, case_obligations, owed_counts

pytestmark = pytest.mark.postgres
AT = datetime(2026, 11, 26, 9, tzinfo=UTC)
ROLES = frozenset({Role.NEAR_MISS_GOVERNANCE_SUPERVISOR})


def _literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


async def _generic_plans(url: str, reads: Any) -> list[str]:
    """The generic plan of each statement READS runs (seq scans off: an index is chosen)."""
    engine = make_engine(url)
    statements: list[tuple[str, tuple[Any, ...]]] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda *a: statements.append((a[2], tuple(a[3]))))  # fmt: skip
    plans = []
    try:
        async with make_sessionmaker(engine)() as session:
            await reads(session)
            connection = await session.connection()
            raw = (await connection.get_raw_connection()).driver_connection
            await raw.execute("SET plan_cache_mode = force_generic_plan")
            await raw.execute("SET enable_seqscan = off")
            for n, (statement, params) in enumerate(statements):
                await raw.execute(f"PREPARE read_{n} AS {statement}")
                args = ", ".join(_literal(p) for p in params)
                rows = await raw.fetch(f"EXPLAIN EXECUTE read_{n}({args})")
                plans.append("\n".join(row[0] for row in rows))
    finally:
        await engine.dispose()
    return plans


async def test_my_work_pages_and_counts_use_the_open_obligation_indexes(postgres_url):
    after = OwedAfter(AT, "ack-case-NM-1", "step:triage-attribution")

    async def reads(session: Any) -> None:
        await case_obligations(session, "E-OWNER", ROLES)
        await case_obligations(session, "E-OWNER", ROLES, after)
        await owed_counts(session, "E-OWNER", ROLES, AT, (AT, AT))

    first, deep, counts = await _generic_plans(postgres_url, reads)
    for page in (first, deep):
        assert "ix_owed_by_name" in page and "ix_owed_by_role" in page, page
    assert "ix_owed_due_by_name" in counts and "ix_owed_due_by_role" in counts, counts
    assert "ix_case_open_obligations_assignee" not in first + deep + counts


async def test_overdue_cases_walk_the_open_case_index(postgres_url):
    async def reads(session: Any) -> None:
        await list_cases(session, overdue_at=AT, limit=10)

    (plan,) = await _generic_plans(postgres_url, reads)
    assert "ix_cases_open_opened_at" in plan, plan
