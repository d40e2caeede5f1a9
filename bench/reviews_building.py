"""``nearmiss_reviews_building`` on PostgreSQL: the partial index ``ix_reviews_building`` (0025)
against the same count with ``status`` bound, as asyncpg's generic plan runs it.

``python -m bench.reviews_building [REVIEWS]`` recreates ``NEARMISS_BENCH_DB`` at head with REVIEWS
published reviews (default 200,000: decades of them) and two ``building`` ones, then prints each
statement's plan and buffers (``EXPLAIN (ANALYZE, BUFFERS)``, generic plans forced) and the
gauge's own read (``store.ops_metrics.building_reviews``) after its sixth execution on one
connection. The database is dropped at the end.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.common import ADMIN_URL, BENCH_DB
from store.migrate import upgrade
from store.ops_metrics import building_reviews

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
COLUMNS = "review_id, example, period, as_of, generated_at, status, summary, back_run"
PUBLISHED = text(
    f"INSERT INTO reviews ({COLUMNS}) SELECT 'r-' || g, 'acknowledgment', 'p', "
    "CAST(:t AS timestamptz), CAST(:t AS timestamptz) - make_interval(secs => g), "
    "CASE WHEN g % 2 = 0 THEN 'generated' ELSE 'reviewed' END, '{}', false "
    "FROM generate_series(1, :n) g"
)
BUILDING = text(
    f"INSERT INTO reviews ({COLUMNS}) SELECT 'b-' || m, 'acknowledgment', 'p', "
    "CAST(:t AS timestamptz), CAST(:t AS timestamptz) - make_interval(mins => m), "
    "'building', '{}', false FROM unnest(ARRAY[1, 20]) m"
)
LITERAL = "SELECT count(*), min(generated_at) FROM reviews WHERE status = 'building'"
BOUND = "SELECT count(*), min(generated_at) FROM reviews WHERE status = $1"


async def _admin(statement: str) -> None:
    engine = create_async_engine(ADMIN_URL.replace("postgresql://", "postgresql+asyncpg://"))
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(statement))
    await engine.dispose()


async def main(reviews: int) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    await _admin(f'CREATE DATABASE "{BENCH_DB}"')
    url = f"{ADMIN_URL}/{BENCH_DB}".replace("postgresql://", "postgresql+asyncpg://")
    try:
        await upgrade(url)
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(PUBLISHED, {"t": NOW, "n": reviews})
            await connection.execute(BUILDING, {"t": NOW})
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE reviews"))
        async with async_sessionmaker(engine)() as session:
            for _ in range(8):  # from the sixth execution on, PostgreSQL may plan it generically
                started = time.perf_counter()
                found = await building_reviews(session, NOW)
                elapsed = time.perf_counter() - started
        print(f"{reviews:,} published reviews; gauge read {found} in {elapsed * 1000:.2f} ms")
        async with engine.connect() as connection:
            await connection.execute(text("SET plan_cache_mode = force_generic_plan"))
            await connection.execute(text(f"PREPARE bound(text) AS {BOUND}"))
            for title, statement in (
                ("literal (the gauge)", LITERAL),
                ("bound", "EXECUTE bound('building')"),
            ):
                print(f"-- {title}")
                plan = await connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}"))
                for (line,) in plan:
                    print(line)
        await engine.dispose()
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
