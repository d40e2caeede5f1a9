"""Benchmark: the register work of one ``/metrics`` chain refresh, before and now.

Before: every register's chain verified in full (``verify_chain``) at each refresh; now:
``ops_metrics.register_chains``, the recorded verification continued through the entries added
since (after the nightly full verification's record). A signed register of N entries
(``bench.register_data``, PostgreSQL); alternating, REPS times; load averages with each figure.

``python -m bench.metrics_verify [N] [REPS]`` (defaults 20000 and 3).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.pool import NullPool

from bench import register_data
from bench.common import drop_schema, load_average, new_schema
from bench.reads_verify import NAME, _append
from store import ops_metrics, tables
from store.db import make_engine, make_sessionmaker
from store.register_checks import verify_in_full
from store.register_verify import verify_chain


async def main(n: int = 20_000, reps: int = 3) -> None:
    print(f"start, load {load_average()}")
    schema, url = await new_schema("metricsverify")
    await register_data.generate(schema, n, n)
    engine = make_engine(url, poolclass=NullPool)
    sessions = make_sessionmaker(engine)

    async def before() -> int:
        async with sessions() as session:
            names = await session.scalars(select(tables.RegisterHead.register))
            return sum([(await verify_chain(session, name)).entries for name in names.all()])

    async def now() -> int:
        async with sessions() as session, session.begin():
            chains = await ops_metrics.register_chains(session, datetime.now(UTC))
            assert all(chain.ok for chain in chains), chains
            return sum(chain.verified for chain in chains)

    async def timed(label: str, run: Callable[[], Awaitable[int]]) -> None:
        began, cpu = time.perf_counter(), time.process_time()
        got = await run()
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        print(f"  {label}: {wall * 1000:,.0f} ms, CPU {cpu * 1000:,.0f} ms, {got:,} entries"
              f"  [load {load_average()}]", flush=True)  # fmt: skip

    try:
        async with sessions() as session, session.begin():
            await verify_in_full(session, NAME, at=datetime.now(UTC))  # the nightly run's record
        for _ in range(reps):
            await timed("before: every chain in full", before)
            await timed("now: no new entry", now)
            await _append(sessions, 100)
            await timed("now: 100 new entries", now)
    finally:
        await engine.dispose()
        await drop_schema(schema)
    print(f"end, load {load_average()}")


if __name__ == "__main__":
    asyncio.run(main(*(int(a) for a in sys.argv[1:])))
