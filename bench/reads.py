"""Benchmark: the read path at a provider group's size, beside the bare SQL for the same rows.

For a size and for 1/100 of it (``bench.read_data``, ``bench.register_data``), on PostgreSQL:
p50/p95 of the store functions the API answers from — "my work" for a busy role, ``GET /cases``
with each filter and a deep page (keyset cursor 90% into the list), a case with its timeline,
``GET /escalations``, acknowledgment analytics over 90 days and 5 years (``bench.analytics_data``)
— and register verification (linear: rows/s and peak traced memory), each
beside one bare SQL query returning the same rows (asyncpg, no ORM), alternating. Store
functions are called in-process (no HTTP, token check or JSON): the API adds a constant per
request. The case page's live Temporal query is not included.

The example-1 analytics (acknowledgment, triage, the series' reliability) alone, at 90 days and
5 years with peak memory: ``bench.reads_analytics`` (same generated reports).

``python -m bench reads [--quick]`` (quick: 20k cases; full: 200k). The table of RESULTS.md:
``python -m bench.reads CASES [EVENTS_PER_CASE] [ROUNDS]`` (see ``bench.reads_report``). Packs
and the evidence pack on the same data and more: ``bench.reads_packs`` (``python -m bench packs``).
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.pool import NullPool

from bench import read_data, register_data
from bench.common import admin
from domain.calendar import CalendarConfig, calendar_for
from store.analytics import acknowledgment_trends
from store.breaches import open_breaches
from store.cases import case_events, list_cases
from store.db import make_engine, make_sessionmaker
from store.my_work import case_obligations
from store.register_verify import verify_chain
from store.tables import Case

REPS = 20
DAY = timedelta(days=1)
CALENDAR = calendar_for(CalendarConfig())  # the default provider calendar (England and Wales)
PAGE = 501  # the API asks for one more than its limit (500) to know whether a next page exists
OWNER = "E-OWNER-1"

_MY_WORK = """
SELECT case_id, example, reference, exposure, service_line, key, title, role, deadline
FROM case_open_obligations
WHERE case_status = 'open' AND (assignee = $1 OR (assignee IS NULL AND role = $2))
ORDER BY case_id, key
"""  # one table since migration 0015 (the join with cases read 5,420 heap blocks at 200k)
_CASES = "SELECT * FROM cases {where} ORDER BY opened_at DESC, case_id DESC LIMIT 501"
_AFTER = "opened_at <= $1 AND (opened_at < $1 OR case_id < $2)"
_CASE = "SELECT * FROM cases WHERE case_id = $1"
_TIMELINE = "SELECT * FROM case_events WHERE case_id = $1 ORDER BY at, id"
_ESCALATIONS = """
SELECT CASE WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.review_id = b.case_id)
            THEN 'review' ELSE 'case' END AS kind, b.case_id, b.step, b.deadline, b.level,
       b.escalated_at
FROM (SELECT *, row_number() OVER (PARTITION BY case_id, step ORDER BY level DESC) AS n,
             min(escalated_at) OVER (PARTITION BY case_id, step) AS first_at
      FROM breaches WHERE resolved_at IS NULL) b
WHERE b.n = 1 ORDER BY b.first_at, b.case_id, b.step
"""
_REGISTER = "SELECT * FROM register_entries WHERE register = $1 ORDER BY seq"
_ANALYTICS = """
SELECT r.period, i.classification, i.fields
FROM reviews r JOIN review_items i ON i.review_id = r.review_id
WHERE r.example = 'acknowledgment' AND r.period >= $1 AND r.period <= $2
"""


@dataclass(frozen=True)
class Read:
    name: str
    ours: Callable[[Any], Awaitable[int]]  # session -> rows
    sql: str  # the bare query (its EXPLAIN is printed when ours misses)
    args: tuple[Any, ...]
    linear: bool = False  # linear by nature: report rows/s, no size-ratio target
    reps: int = REPS
    extra_sql: str = ""  # a second bare statement (the case page reads the case, then events)


async def deep_cursor(schema: str, cases: int) -> tuple[datetime, str]:
    connection = await admin()
    try:
        await connection.execute(f'SET search_path TO "{schema}"')
        return await _deep(connection, cases)
    finally:
        await connection.close()


async def _deep(connection: Any, cases: int) -> tuple[datetime, str]:
    """(opened_at, case_id) of the case 90% of the way down the newest-first list."""
    row = await connection.fetchrow(
        "SELECT opened_at, case_id FROM cases WHERE case_id = $1", read_data.case_id(cases // 10)
    )
    return row["opened_at"], row["case_id"]


def reads(cases: int, deep: tuple[datetime, str]) -> list[Read]:
    rng = random.Random(3)
    one_case = read_data.case_id(rng.randrange(cases))
    busy = frozenset({read_data.BUSY_ROLE})
    stage = "retention-impact"
    filters: list[tuple[str, dict[str, Any], str, tuple[Any, ...]]] = [
        ("none", {}, "", ()),
        ("example", {"example": "learning"}, "WHERE example = $1", ("learning",)),
        ("stage", {"stage": stage}, "WHERE stage = $1", (stage,)),
        ("exposure", {"exposure": "critical"}, "WHERE exposure = $1", ("critical",)),
        (
            "overdue",
            {"overdue_at": read_data.NOW},
            "WHERE status = 'open' AND deadline < $1",
            (read_data.NOW,),
        ),
        ("employee", {"employee_id": "W-17"}, "WHERE employee_id = $1", ("W-17",)),
        ("none, deep page (cursor 90% in)", {"after": deep}, f"WHERE {_AFTER}", deep),
        (
            "stage, deep page (cursor 90% in)",
            {"stage": stage, "after": deep},
            f"WHERE {_AFTER} AND stage = $3",
            (*deep, stage),
        ),
    ]

    async def my_work(session: Any) -> int:
        return len(await case_obligations(session, OWNER, busy))

    async def case_page(session: Any) -> int:
        assert await session.get(Case, one_case) is not None
        return len(await case_events(session, one_case))

    async def escalations(session: Any) -> int:
        return len(await open_breaches(session))

    def analytics(days: int) -> Callable[[Any], Awaitable[int]]:
        async def read(session: Any) -> int:
            end = read_data.NOW.date()
            start = end - DAY * days
            rows = await acknowledgment_trends(session, "service_line", start, end, CALENDAR)
            return sum(row["reports"] for row in rows)

        return read

    async def verify(session: Any) -> int:
        result = await verify_chain(session, register_data.VERIFIED)
        assert result.ok, result
        return result.entries

    def listed(kwargs: dict[str, Any]) -> Callable[[Any], Awaitable[int]]:
        async def read(session: Any) -> int:
            return len(await list_cases(session, **kwargs, limit=PAGE))

        return read

    return [
        Read("my work (busy role)", my_work, _MY_WORK, (OWNER, read_data.BUSY_ROLE.value), True),
        *(
            Read(f"GET /cases {name}", listed(kw), _CASES.format(where=w), args)
            for name, kw, w, args in filters
        ),
        Read("case with its timeline", case_page, _TIMELINE, (one_case,), extra_sql=_CASE),
        Read("GET /escalations", escalations, _ESCALATIONS, ()),
        *(
            Read(f"analytics {label}", analytics(days), _ANALYTICS, _days(days), days > 90, reps)
            for label, days, reps in (("90 days", 90, 5), ("5 years", 5 * 365, 1))
        ),
        Read("verify a register", verify, _REGISTER, (register_data.VERIFIED,), True, reps=1),
    ]


def _days(days: int) -> tuple[str, str]:
    end = read_data.NOW.date()
    return ((end - DAY * days).isoformat(), end.isoformat())


Sample = tuple[list[float], list[float], list[int]]  # ours s, bare s, [ours rows, bare rows]


async def _bare(connection: Any, read: Read) -> int:
    if read.extra_sql:
        assert await connection.fetchrow(read.extra_sql, *read.args) is not None
    if read.sql is _REGISTER or read.reps == 1:  # stream, as verification does (bounded memory)
        count = 0
        async with connection.transaction():
            async for _ in connection.cursor(read.sql, *read.args, prefetch=1000):
                count += 1
        return count
    return len(await connection.fetch(read.sql, *read.args))


async def measure(url: str, schema: str, cases: int) -> dict[str, Sample]:
    """One round over every read: ours and the bare query alternately, ``reps`` times each."""
    engine = make_engine(url, poolclass=NullPool)
    sessions = make_sessionmaker(engine)
    connection = await admin()
    await connection.execute(f'SET search_path TO "{schema}"')
    out: dict[str, Sample] = {}
    try:
        todo = reads(cases, await _deep(connection, cases))
        async with sessions() as session:
            for read in todo:
                mine, bare, rows = [], [], [0, 0]
                for _ in range(read.reps):
                    began = time.perf_counter()
                    rows[0] = await read.ours(session)
                    mine.append(time.perf_counter() - began)
                    session.expunge_all()  # (a rollback would close the connection: NullPool)
                    began = time.perf_counter()
                    rows[1] = await _bare(connection, read)
                    bare.append(time.perf_counter() - began)
                out[read.name] = (mine, bare, rows)
    finally:
        await connection.close()
        await engine.dispose()
    return out


async def verify_peak_mb(url: str) -> float:
    """Peak memory traced by Python while verifying the register once (untimed)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with make_sessionmaker(engine)() as session:
            tracemalloc.start()
            try:
                await verify_chain(session, register_data.VERIFIED)
                return tracemalloc.get_traced_memory()[1] / 2**20
            finally:
                tracemalloc.stop()
    finally:
        await engine.dispose()


async def explain(schema: str, read: Read) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a read's bare query."""
    connection = await admin()
    try:
        await connection.execute(f'SET search_path TO "{schema}"')
        rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {read.sql}", *read.args)
        return "\n".join(row[0] for row in rows)
    finally:
        await connection.close()


async def bench(quick: bool) -> list[Any]:
    """``python -m bench reads``: the figures of ``bench.reads_report`` at 20k or 200k cases."""
    from bench.reads_report import figures

    return await figures(20_000 if quick else 200_000)


if __name__ == "__main__":
    import asyncio
    import sys

    from bench.reads_report import main

    asyncio.run(main(*(int(a) for a in sys.argv[1:])))
