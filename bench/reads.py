"""Benchmark: the read path at a provider group's size, beside the bare SQL for the same rows.

For a size and 1/100 of it (``bench.read_data``, ``bench.register_data``), on PostgreSQL: p50/p95
of the store functions the API answers from — "my work" for a busy role (first page with the
counts, a page 90% down), ``GET /cases`` with each filter and a page 90% deep, a case with its
timeline, ``GET /escalations``, acknowledgment analytics (90 days, 5 years) — and register
verification (linear: rows/s, peak memory), each beside bare SQL returning the same rows
(asyncpg), alternating (which goes first too), with the server's time of the bare statements
(EXPLAIN ANALYZE execution): load noise shows as client time far above it (in-process, no HTTP).

The example-1 analytics (acknowledgment, triage, the series' reliability) alone, at 90 days and
5 years with peak memory: ``bench.reads_analytics`` (same generated reports).

``python -m bench reads [--quick]`` (quick: 20k cases; full: 200k). The table of RESULTS.md:
``python -m bench.reads CASES [EVENTS_PER_CASE] [ROUNDS]`` (see ``bench.reads_report``). Packs
and the evidence pack on the same data and more: ``bench.reads_packs`` (``python -m bench packs``).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.pool import NullPool

from bench import read_data, register_data
from bench import reads_sql as sql
from bench.common import admin
from domain.calendar import CalendarConfig, calendar_for
from store import my_work
from store.analytics import acknowledgment_trends
from store.breaches import PAGE as BREACH_PAGE
from store.breaches import BreachAfter, open_breaches
from store.cases import case_events, list_cases
from store.db import make_engine, make_sessionmaker
from store.my_work import OwedAfter, breach_levels, case_obligations, owed_counts
from store.register_verify import verify_chain
from store.tables import Case

REPS = 40  # per round (after one unmeasured); p95 over every round's samples together
DAY = timedelta(days=1)
CALENDAR = calendar_for(CalendarConfig())  # the default provider calendar (England and Wales)
PAGE = 501  # the API asks for one more than its limit (500) to know whether a next page exists
PAGE_OWED = my_work.PAGE + 1  # my work's page, likewise
OWNER = "E-OWNER-1"
_ENDS = datetime.combine(read_data.NOW.date() + DAY, datetime.min.time(), read_data.NOW.tzinfo)
BANDS = (_ENDS, _ENDS + 7 * DAY)  # today's end and a week later (London is on UTC in November)
Statement = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True)
class Read:
    name: str
    ours: Callable[[Any], Awaitable[int]]  # session -> rows
    sql: str  # the bare query (its EXPLAIN is printed when ours misses)
    args: tuple[Any, ...]
    linear: bool = False  # linear by nature: report rows/s, no size-ratio target
    reps: int = REPS
    statements: tuple[Statement, ...] = ()  # more bare statements of the same read
    limit: int = 0  # a page's size (0: not a page); 1/100 is compared at the rows it returns


@dataclass(frozen=True)
class Cursors:  # deep pages' cursors (90% down the case list, and what the busy role owes)
    cases: tuple[datetime, str]
    owed: OwedAfter
    owed_ids: dict[bool, list[str]]  # the case IDs on my work's first (False) and deep page
    breaches: BreachAfter  # 90% down the open breaches (GET /escalations)


async def deep_cursor(schema: str, cases: int) -> Cursors:
    connection = await admin()
    try:
        await connection.execute(f'SET search_path TO "{schema}"')
        return await _deep(connection, cases)
    finally:
        await connection.close()


async def _deep(connection: Any, cases: int) -> Cursors:
    row = await connection.fetchrow(
        "SELECT opened_at, case_id FROM cases WHERE case_id = $1", read_data.case_id(cases // 10)
    )
    who = (OWNER, read_data.BUSY_ROLE.value)
    owed = await connection.fetchval(sql.OWED_COUNT, *who)
    after = OwedAfter(*await connection.fetchrow(sql.OWED_AT, *who, owed * 9 // 10))
    ids = {
        deep: [
            r["case_id"] for r in await connection.fetch(sql.my_work_page(PAGE_OWED, deep), *args)
        ]
        for deep, args in ((False, who), (True, (*who, *after)))
    }
    groups = await connection.fetchval(sql.BREACH_GROUPS)
    breach = await connection.fetchrow(sql.breach_at(), groups * 9 // 10)
    return Cursors((row["opened_at"], row["case_id"]), after, ids, BreachAfter(*breach))


def _my_work(limit: int, after: OwedAfter | None, ids: list[str]) -> Read:
    busy = frozenset({read_data.BUSY_ROLE})
    who = (OWNER, read_data.BUSY_ROLE.value)

    async def read(session: Any) -> int:  # what the page and GET /me/work read from the store
        owed = await case_obligations(session, OWNER, busy, after, limit)
        await breach_levels(session, [o.case.case_id for o in owed])
        await owed_counts(session, OWNER, busy, read_data.NOW, BANDS)
        return len(owed)

    page, args = sql.my_work_page(limit, after is not None), (*who, *(after or ()))
    counts = (sql.MY_WORK_COUNTS, (*who, read_data.NOW, *BANDS))
    name = "my work (busy role)" + (", deep page (cursor 90% in)" if after else ", first page")
    levels = (sql.MY_WORK_LEVELS, (ids[:limit],))  # the first rows of a page are a shorter one
    return Read(name, read, page, args, statements=(levels, counts), limit=limit)


def reads(cases: int, deep: Cursors, limits: dict[str, int] | None = None) -> list[Read]:
    """Every read; ``limits`` overrides a page's size by name (1/100's row counts)."""
    limits = limits or {}
    rng = random.Random(3)
    one_case = read_data.case_id(rng.randrange(cases))
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
        ("none, deep page (cursor 90% in)", {"after": deep.cases}, f"WHERE {sql.AFTER}",
         deep.cases),
        (
            "stage, deep page (cursor 90% in)",
            {"stage": stage, "after": deep.cases},
            f"WHERE {sql.AFTER} AND stage = $3",
            (*deep.cases, stage),
        ),
    ]  # fmt: skip

    async def case_page(session: Any) -> int:
        assert await session.get(Case, one_case) is not None
        return len(await case_events(session, one_case))

    def escalations(after: BreachAfter | None, limit: int) -> Callable[[Any], Awaitable[int]]:
        async def read(session: Any) -> int:  # what GET /escalations reads (one more: a next?)
            return len(await open_breaches(session, after, limit))

        return read

    breach_pages = []
    for label, after in (("first page", None), ("deep page (cursor 90% in)", deep.breaches)):
        name = f"GET /escalations, {label}"
        limit = limits.get(name, BREACH_PAGE + 1)
        query = sql.escalations_page(limit, after is not None)
        breach_pages.append(Read(name, escalations(after, limit), query, tuple(after or ()),
                                 limit=limit))  # fmt: skip

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

    def listed(kwargs: dict[str, Any], limit: int) -> Callable[[Any], Awaitable[int]]:
        async def read(session: Any) -> int:
            return len(await list_cases(session, **kwargs, limit=limit))

        return read

    pages = (("first page", None), ("deep page (cursor 90% in)", deep.owed))
    out = [
        _my_work(limits.get(f"my work (busy role), {name}", PAGE_OWED), after,
                 deep.owed_ids[after is not None])
        for name, after in pages
    ]  # fmt: skip
    for name, kw, where, args in filters:
        name = f"GET /cases {name}"
        limit = limits.get(name, PAGE)
        query = sql.CASES.format(where=where, limit=limit)
        out.append(Read(name, listed(kw, limit), query, args, limit=limit))
    return [
        *out,
        Read(
            "case with its timeline",
            case_page,
            sql.TIMELINE,
            (one_case,),
            statements=((sql.CASE, (one_case,)),),
        ),  # fmt: skip
        *breach_pages,
        *(
            Read(f"analytics {label}", analytics(days), sql.ANALYTICS, _days(days), days > 90, reps)
            for label, days, reps in (("90 days", 90, 5), ("5 years", 5 * 365, 1))
        ),
        Read("verify a register", verify, sql.REGISTER, (register_data.VERIFIED,), True, reps=1),
    ]


def _days(days: int) -> tuple[str, str]:
    end = read_data.NOW.date()
    return ((end - DAY * days).isoformat(), end.isoformat())


# ours s, bare s, [ours rows, bare rows], server ms (EXPLAIN ANALYZE of the bare statements)
Sample = tuple[list[float], list[float], list[int], list[float]]


async def _bare(connection: Any, read: Read) -> int:
    if read.sql is sql.REGISTER or read.reps == 1:  # stream, as verification does (bounded memory)
        count = 0
        async with connection.transaction():
            async for _ in connection.cursor(read.sql, *read.args, prefetch=1000):
                count += 1
        return count
    rows = len(await connection.fetch(read.sql, *read.args))
    for statement, args in read.statements:
        await connection.fetch(statement, *args)
    return rows


async def _server_ms(connection: Any, read: Read) -> float:
    """The server's execution time of the read's bare statements (no client, no network)."""
    total = 0.0
    for statement, args in ((read.sql, read.args), *read.statements):
        plan = await connection.fetchval(
            f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {statement}", *args
        )
        total += json.loads(plan)[0]["Execution Time"]
    return total


async def _one(read: Read, session: Any) -> tuple[float, int]:
    began = time.perf_counter()
    rows = await read.ours(session)
    took = time.perf_counter() - began
    session.expunge_all()  # (a rollback would close the connection: NullPool)
    return took, rows


async def _other(read: Read, connection: Any) -> tuple[float, int]:
    began = time.perf_counter()
    rows = await _bare(connection, read)
    return time.perf_counter() - began, rows


async def measure(
    url: str, schema: str, cases: int, limits: dict[str, int] | None = None
) -> dict[str, Sample]:
    """One round over every read (or only those ``limits`` names, at those page sizes): ours
    and the bare query alternately, ``reps`` times each, then the server's time of the bare."""
    engine = make_engine(url, poolclass=NullPool)
    sessions = make_sessionmaker(engine)
    connection = await admin()
    await connection.execute(f'SET search_path TO "{schema}"')
    out: dict[str, Sample] = {}
    try:
        todo = reads(cases, await _deep(connection, cases), limits)
        async with sessions() as session:
            for read in todo:
                if limits is not None and read.name not in limits:
                    continue
                mine, bare, rows, server = [], [], [0, 0], []
                if read.reps > 1:  # one of each unmeasured: a new connection's first are slow
                    await _one(read, session), await _other(read, connection)
                for rep in range(read.reps):
                    if rep % 2:  # which goes first alternates too
                        (b, rows[1]), (m, rows[0]) = (
                            await _other(read, connection),
                            await _one(read, session),
                        )
                    else:
                        (m, rows[0]), (b, rows[1]) = (
                            await _one(read, session),
                            await _other(read, connection),
                        )
                    mine.append(m)
                    bare.append(b)
                    server.append(await _server_ms(connection, read) / 1000)
                out[read.name] = (mine, bare, rows, server)
    finally:
        await connection.close()
        await engine.dispose()
    return out


async def bench(quick: bool) -> list[Any]:
    """``python -m bench reads``: the figures of ``bench.reads_report`` at 20k or 200k cases."""
    from bench.reads_report import figures

    return await figures(20_000 if quick else 200_000)


if __name__ == "__main__":
    import asyncio
    import sys

    from bench.reads_report import main  # (imports this module)

    asyncio.run(main(*(int(a) for a in sys.argv[1:])))
