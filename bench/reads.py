"""Benchmark: the read path at a provider group's size, beside the bare SQL for the same rows.

For a size and for 1/100 of it (``bench.read_data``), on PostgreSQL: p50/p95 of the store
functions the API answers from — "my work" for a busy role, ``GET /cases`` with each filter, a
case's timeline, ``GET /escalations`` — and of one bare SQL query returning the same rows
(asyncpg, no ORM), each run ``REPS`` times. Store functions are called in-process (no HTTP, no
token check): the API adds a constant per request on top.

``python -m bench reads [--quick]`` (quick: 20k cases; full: 200k cases, 1M events).
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.pool import NullPool

from bench import read_data
from bench.common import Figure, admin, drop_schema, new_schema, percentile
from store.cases import case_events, list_cases, open_breaches
from store.db import make_engine, make_sessionmaker
from store.my_work import case_obligations

REPS = 20
OWNER = "E-OWNER-1"

_MY_WORK = """
SELECT c.*, o.key FROM cases c JOIN case_open_obligations o ON o.case_id = c.case_id
WHERE c.status = 'open' AND (o.assignee = $1 OR (o.assignee IS NULL AND o.role = $2))
ORDER BY c.case_id, o.key
"""
_CASES = "SELECT * FROM cases {where} ORDER BY opened_at DESC LIMIT 500"
_TIMELINE = "SELECT * FROM case_events WHERE case_id = $1 ORDER BY at, id"
_ESCALATIONS = """
SELECT DISTINCT ON (b.case_id, b.step) b.*, r.review_id IS NOT NULL AS is_review
FROM breaches b LEFT JOIN reviews r ON r.review_id = b.case_id
WHERE b.resolved_at IS NULL ORDER BY b.case_id, b.step, b.level DESC
"""
Read = Callable[[Any], Awaitable[int]]
Series = dict[str, tuple[list[float], ...]]


def _reads(cases: int) -> list[tuple[str, Read, str, tuple[Any, ...]]]:
    """(name, ours(session) -> rows, bare SQL, its arguments)."""
    rng = random.Random(3)
    one_case = read_data.case_id(rng.randrange(cases))
    busy = frozenset({read_data.BUSY_ROLE})
    filters: list[tuple[str, dict[str, Any], str, tuple[Any, ...]]] = [
        ("none", {}, "", ()),
        ("example", {"example": "learning"}, "WHERE example = $1", ("learning",)),
        ("stage", {"stage": "retention-impact"}, "WHERE stage = $1", ("retention-impact",)),
        ("exposure", {"exposure": "critical"}, "WHERE exposure = $1", ("critical",)),
        (
            "overdue",
            {"overdue_at": read_data.NOW},
            "WHERE status = 'open' AND deadline < $1",
            (read_data.NOW,),
        ),
        ("employee", {"employee_id": "W-17"}, "WHERE employee_id = $1", ("W-17",)),
    ]

    async def my_work(session: Any) -> int:
        return len(await case_obligations(session, OWNER, busy))

    async def timeline(session: Any) -> int:
        return len(await case_events(session, one_case))

    async def escalations(session: Any) -> int:
        return len(await open_breaches(session))

    def listed(kwargs: dict[str, Any]) -> Read:
        async def read(session: Any) -> int:
            return len(await list_cases(session, **kwargs))

        return read

    return [
        ("my work (busy role)", my_work, _MY_WORK, (OWNER, read_data.BUSY_ROLE.value)),
        *(
            (f"GET /cases filter={name}", listed(kw), _CASES.format(where=w), args)
            for name, kw, w, args in filters
        ),
        ("case timeline", timeline, _TIMELINE, (one_case,)),
        ("GET /escalations", escalations, _ESCALATIONS, ()),
    ]


async def _measure(url: str, schema: str, cases: int) -> Series:
    """name -> (ours seconds, bare seconds, [ours rows, bare rows])."""
    engine = make_engine(url, poolclass=NullPool)
    sessions = make_sessionmaker(engine)
    connection = await admin()
    await connection.execute(f'SET search_path TO "{schema}"')
    out: Series = {}
    try:
        async with sessions() as session:
            for name, ours, sql, args in _reads(cases):
                mine, bare, rows = [], [], [0.0, 0.0]
                for _ in range(REPS):
                    began = time.perf_counter()
                    rows[0] = await ours(session)
                    mine.append(time.perf_counter() - began)
                    session.expunge_all()
                    began = time.perf_counter()
                    rows[1] = len(await connection.fetch(sql, *args))
                    bare.append(time.perf_counter() - began)
                out[name] = (mine, bare, rows)
    finally:
        await connection.close()
        await engine.dispose()
    return out


async def bench_size(cases: int, events: int = 5) -> tuple[float, Series]:
    schema, url = await new_schema("reads")
    try:
        load_s = await read_data.generate(schema, cases, events)
        return load_s, await _measure(url, schema, cases)
    finally:
        await drop_schema(schema)


async def bench(quick: bool) -> list[Figure]:
    """Each read at SIZE and SIZE/100: p50 and p95 against the bare SQL, and the size ratio."""
    size = 20_000 if quick else 200_000
    small_load, small = await bench_size(size // 100)
    big_load, big = await bench_size(size)
    figures: list[Figure] = []
    for name, (mine, bare, rows) in big.items():
        p95_small = percentile(small[name][0], 95)
        note = (
            f"{int(rows[0])} rows (bare {int(rows[1])}); p95 at 1/100: "
            f"{p95_small * 1000:.2f} ms, size ratio {percentile(mine, 95) / p95_small:.1f}x; "
            f"load {big_load:.0f} s"
        )
        for p in (50, 95):
            figures.append(
                Figure(
                    f"reads {size // 1000}k cases",
                    f"{name} p{p}",
                    "ms",
                    [percentile(mine, p) * 1000],
                    [percentile(bare, p) * 1000],
                    note,
                )
            )
    return figures


async def _main(size: int) -> None:
    """``python -m bench.reads SIZE``: the table of RESULTS.md (SIZE cases and SIZE/100)."""
    _, small = await bench_size(size // 100)
    load_s, big = await bench_size(size)
    print(f"{size:,} cases, data by COPY in {load_s:.0f} s; milliseconds, {REPS} runs each")
    print("| read | ours p50 / p95 | bare p50 / p95 | p95 at 1/100 | size ratio (p95) |")
    print("|---|---|---|---|---|")
    for name, (mine, bare, rows) in big.items():
        p95_small = percentile(small[name][0], 95)
        print(
            f"| {name} ({int(rows[0])} rows) | {percentile(mine, 50) * 1000:.1f} / "
            f"{percentile(mine, 95) * 1000:.1f} | {percentile(bare, 50) * 1000:.1f} / "
            f"{percentile(bare, 95) * 1000:.1f} | {p95_small * 1000:.1f} | "
            f"{percentile(mine, 95) / p95_small:.1f}x |"
        )


if __name__ == "__main__":
    import asyncio
    import sys

    asyncio.run(_main(int(sys.argv[1])))
