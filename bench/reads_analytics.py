"""Benchmark: the example-1 analytics reads at a provider group's size, beside the bare SQL
returning the rows they aggregate (the review items of the range), on PostgreSQL.

Data: ``bench.analytics_data`` (five years of daily example-1 reviews, ``REPORTS`` items).
Reads, each in-process on one session (no HTTP): ``/analytics/acknowledgment`` (by service line),
``/analytics/triage`` and the reliability part of ``/analytics/series`` (per ISO week), over 90
days and 5 years. Each is timed beside the bare query of the same items (asyncpg, no ORM),
alternating; the items ours counted must equal the bare query's rows. The 5-year reads are
linear by nature: rows/s, and the peak memory Python traced while running each once.

``python -m bench.reads_analytics REPORTS [ROUNDS=3] [--schema S] [--keep] [--no-years]``
(REPORTS 100000 is the 20k-cases data of ``bench.reads``; 1000000 its 200k). With ``--schema``
the data of an earlier ``--keep`` run is reused; ``--no-years`` measures the 90 days only.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.pool import NullPool

from bench import analytics_data, read_data
from bench.common import admin, drop_schema, load_average, new_schema, percentile, schema_url
from domain.calendar import CalendarConfig, calendar_for
from store.analytics import acknowledgment_trends
from store.analytics_reliability import reliability_figures, reliability_measures
from store.analytics_triage import triage_trends
from store.db import make_engine, make_sessionmaker

CALENDAR = calendar_for(CalendarConfig())  # the default provider calendar (England and Wales)
DAY = timedelta(days=1)
_ITEMS = """
SELECT r.period, i.classification, i.fields
FROM reviews r JOIN review_items i ON i.review_id = r.review_id
WHERE r.example = 'acknowledgment' AND r.period >= $1 AND r.period <= $2{classified}
"""
Ours = Callable[[Any, Any, Any], Awaitable[int]]  # (session, start, end) -> items counted


async def _ack(session: Any, start: Any, end: Any) -> int:
    rows = await acknowledgment_trends(session, "service_line", start, end, CALENDAR)
    return sum(row["reports"] for row in rows)


async def _triage(session: Any, start: Any, end: Any) -> int:
    rows = await triage_trends(session, "service_line", start, end)
    return sum(row["classified"] for row in rows)


async def _reliability(session: Any, start: Any, end: Any) -> int:
    found = await reliability_measures(session, "service_line", start, end, "week")
    figures = [v if isinstance(v, dict) else reliability_figures(v) for v in found.values()]
    return sum(f["reports"] for f in figures)  # (before: items per key, figured by the caller)


@dataclass(frozen=True)
class Read:
    name: str
    ours: Ours
    classified_only: bool = False

    @property
    def sql(self) -> str:
        return _ITEMS.format(classified=" AND i.classification IS NOT NULL" * self.classified_only)


READS = [
    Read("acknowledgment trends (by service line)", _ack),
    Read("triage trends (by service line, category)", _triage, classified_only=True),
    Read("series: reliability per ISO week", _reliability),
]


def _range(days: int) -> tuple[Any, Any]:
    end = read_data.NOW.date()
    return end - DAY * days, end


async def _bare(connection: Any, read: Read, days: int, stream: bool) -> int:
    start, end = _range(days)
    args = (start.isoformat(), end.isoformat())
    if not stream:
        return len(await connection.fetch(read.sql, *args))
    count = 0
    async with connection.transaction():
        async for _ in connection.cursor(read.sql, *args, prefetch=1000):
            count += 1
    return count


async def measure(schema: str, days: int, reps: int) -> dict[str, tuple[list[float], ...]]:
    """Per read: ours and bare seconds, alternating ``reps`` times; row counts checked equal."""
    engine = make_engine(schema_url(schema), poolclass=NullPool)
    connection = await admin()
    await connection.execute(f'SET search_path TO "{schema}"')
    out: dict[str, tuple[list[float], ...]] = {}
    try:
        async with make_sessionmaker(engine)() as session:
            for read in READS:
                mine: list[float] = []
                bare: list[float] = []
                rows = [0, 0]
                for _ in range(reps):
                    began = time.perf_counter()
                    rows[0] = await read.ours(session, *_range(days))
                    mine.append(time.perf_counter() - began)
                    began = time.perf_counter()
                    rows[1] = await _bare(connection, read, days, stream=days > 90)
                    bare.append(time.perf_counter() - began)
                assert rows[0] == rows[1], (read.name, rows)
                out[read.name] = (mine, bare, [float(rows[0])])
    finally:
        await connection.close()
        await engine.dispose()
    return out


async def peak_mb(schema: str, read: Read, days: int) -> float:
    """Peak memory traced by Python while running ``read`` once over ``days`` (untimed)."""
    engine = make_engine(schema_url(schema), poolclass=NullPool)
    try:
        async with make_sessionmaker(engine)() as session:
            tracemalloc.start()
            try:
                await read.ours(session, *_range(days))
                return tracemalloc.get_traced_memory()[1] / 2**20
            finally:
                tracemalloc.stop()
    finally:
        await engine.dispose()


async def explain(schema: str, read: Read, days: int) -> str:
    connection = await admin()
    try:
        await connection.execute(f'SET search_path TO "{schema}"')
        start, end = _range(days)
        plan = await connection.fetch(
            f"EXPLAIN (ANALYZE, BUFFERS) {read.sql}", start.isoformat(), end.isoformat()
        )
        return "\n".join(row[0] for row in plan)
    finally:
        await connection.close()


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.1f} [{min(values) * 1000:,.1f}]"


async def main(
    reports: int, rounds: int = 3, schema: str = "", keep: bool = False, years: bool = True
) -> None:
    loads = [load_average()]
    if not schema:
        schema, _ = await new_schema("analytics")
        took = await analytics_data.generate(schema, reports)
        print(f"schema {schema}: {reports:,} reports generated in {took:.0f} s")
    else:
        took = await analytics_data.value(schema)
        print(f"values of the kept schema's items written in {took:.0f} s")
    try:
        for days, reps in ((90, 10), (5 * 365, 1))[: 2 if years else 1] if rounds else ():
            runs = [await measure(schema, days, reps) for _ in range(rounds)]
            loads.append(load_average())
            print(f"\n{days} days, {rounds} rounds of {reps}; load {' → '.join(loads[-2:])}")
            print("| read | items | ours p50 | bare p50 | ours p95 | bare p95 | verdict |")
            print("|---|---|---|---|---|---|---|")
            for read in READS:
                p = {
                    (side, q): [percentile(r[read.name][side], q) for r in runs]
                    for side in (0, 1)
                    for q in (50, 95)
                }
                items = int(runs[0][read.name][2][0])
                ours, bare = statistics.median(p[0, 50]), statistics.median(p[1, 50])
                verdict = "met" if ours <= max(2 * bare, bare + 0.025) else "**missed**"
                if days > 90:
                    traced = await peak_mb(schema, read, days)
                    verdict = (
                        f"{items / ours:,.0f} rows/s (bare {items / bare:,.0f}); "
                        f"peak traced {traced:.1f} MB"
                    )
                print(
                    f"| {read.name} | {items:,} | {_ms(p[0, 50])} | {_ms(p[1, 50])} | "
                    f"{_ms(p[0, 95])} | {_ms(p[1, 95])} | {verdict} |"
                )
                if verdict == "**missed**":
                    print(f"\nPlan of the bare query:\n{await explain(schema, read, days)}\n")
    finally:
        if not keep:
            await drop_schema(schema)
        else:
            print(f"kept schema {schema}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    named = sys.argv[1:]
    given = named[named.index("--schema") + 1] if "--schema" in named else ""
    numbers = [int(a) for a in args if a != given]
    asyncio.run(
        main(*numbers, schema=given, keep="--keep" in named, years="--no-years" not in named)
    )
