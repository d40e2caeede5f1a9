"""Benchmarks of examples 2 and 3's reviews at N closed reports (closures), against DuckDB
computing the same classifications from the same rows (checked row for row).

As ``bench.review``: each side runs in its own child process so its peak RSS is its own:
``python -m bench.review_more ours KIND URL OUT RUNS`` / ``… duck KIND CSV OUT RUNS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import postgresql

from bench import gen_more
from bench.common import Figure, admin, drop_schema, new_schema, peak_rss_mb
from bench.review import (
    _copy,
    cpu_figure,
    duck_runs,
    export,
    published,
    review_parts,
    run_child,
    timed_reviews,
)
from bench.review_more_duck import credibility_sql, learning_sql
from domain.credibility import CredibilityPolicy, month_bounds
from domain.learning import LearningPolicy
from store.credibility import closure_review_build
from store.learning import audit_build
from store.review_build import build_review
from store.source_fields import typed_from_content
from store.tables import ReviewItem

MODULE = "bench.review_more"
_BATCH = 50_000
_METRIC = {"learning": "indicator_count", "credibility": "days_to_reopen"}


def _rows(kind: str, size: int) -> Iterator[gen_more.Row]:
    return gen_more.learning(size) if kind == "learning" else gen_more.credibility(size)


async def load(schema: str, kind: str, size: int) -> float:
    """COPY the generated rows (with their typed columns) into ``source_records``."""
    start = time.perf_counter()
    received = datetime.now(UTC)
    connection = await admin()
    try:
        batch: list[tuple[Any, ...]] = []
        for feed, key, content in _rows(kind, size):
            text = json.dumps(content, separators=(",", ":"))
            digest = hashlib.sha256(text.encode()).hexdigest()
            batch.append((feed, key, 1, text, digest, received, *typed_from_content(content)))
            if len(batch) >= _BATCH:
                await _copy(connection, schema, batch)
                batch = []
        await _copy(connection, schema, batch)
        await connection.execute(f'ANALYZE "{schema}".source_records')
    finally:
        await connection.close()
    return time.perf_counter() - start


async def _generate(kind: str, sessions: Any, review_id: str) -> None:
    if kind == "learning":
        build = audit_build(
            review_id, gen_more.CYCLE, gen_more.WINDOW, gen_more.AUDIT_AS_OF, LearningPolicy()
        )
    else:
        as_of = month_bounds(gen_more.MONTH, gen_more.ZONE)[1]
        async with sessions() as session:
            build = await closure_review_build(
                session, review_id, gen_more.MONTH, as_of, gen_more.ZONE, CredibilityPolicy()
            )
    await build_review(sessions, build, review_parts(), published)


async def run_ours(kind: str, url: str, out: Path, runs: int) -> dict[str, Any]:
    """Child: time the review (commit included) ``runs`` times; dump the last one."""

    async def generate(sessions: Any, review_id: str) -> None:
        await _generate(kind, sessions, review_id)

    # Through the items' one reader (``ReviewItem.fields``: example 3 renders it on read).
    value = ReviewItem.fields[_METRIC[kind]].as_integer()
    rendered = value.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    metric = f"{rendered} AS metric"
    return await timed_reviews(url, out, runs, generate, metric)


def run_duck(kind: str, csv: Path, out: Path, runs: int) -> dict[str, Any]:
    """Child: load the export into DuckDB (timed apart), then time the review query ``runs``
    times, each storing its result in a table (as ours stores review items)."""
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(f"CREATE TABLE src AS SELECT * FROM read_csv('{csv}', header = true)")
    load_s = time.perf_counter() - start
    if kind == "learning":
        sql = learning_sql(gen_more.WINDOW, gen_more.AUDIT_AS_OF, LearningPolicy())
    else:
        bounds = month_bounds(gen_more.MONTH, gen_more.ZONE)
        sql = credibility_sql(bounds, gen_more.ZONE, CredibilityPolicy())
    times, cpu = duck_runs(con, sql, runs)
    con.execute(f"COPY result TO '{out}' (HEADER)")
    return {"times": times, "cpu": cpu, "rss_mb": peak_rss_mb(), "load_s": load_s}


def disagreements(ours: Path, duck: Path) -> tuple[int, int]:
    """(rows compared, rows that differ in classification, reason count or metric)."""
    import duckdb

    con = duckdb.connect()
    total, differ = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE
              o.reference IS NULL OR d.reference IS NULL
              OR o.classification IS DISTINCT FROM d.classification
              OR o.n_reasons IS DISTINCT FROM d.n_reasons
              OR o.metric IS DISTINCT FROM d.metric)
            FROM read_csv('{ours}', header = true) o
            FULL JOIN read_csv('{duck}', header = true) d USING (reference)"""
    ).fetchone() or (0, 0)
    return int(total), int(differ)


async def bench_size(kind: str, size: int, runs: int) -> list[Figure]:
    """Load ``size`` closed reports (closures) into a fresh schema and measure both sides."""
    schema, url = await new_schema(kind)
    label = f"{kind} {size // 1000}k"
    try:
        load_s = await load(schema, kind, size)
        with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
            raw, ours_out, duck_out = (Path(tmp) / n for n in ("raw.csv", "ours.csv", "duck.csv"))
            await export(schema, raw)
            ours = run_child(MODULE, "ours", kind, url, str(ours_out), str(runs))
            duck = run_child(MODULE, "duck", kind, str(raw), str(duck_out), str(runs))
            total, differ = disagreements(ours_out, duck_out)
    finally:
        await drop_schema(schema)
    note = f"{total:,} rows compared, {differ} differ; load by COPY {load_s:.1f} s"
    return [
        Figure(label, "review vs DuckDB", "s", ours["times"], duck["times"], note),
        cpu_figure(label, ours, duck),
        Figure(label, "peak RSS", "MB", [ours["rss_mb"]], [duck["rss_mb"]], "child processes"),
        Figure(label, "DuckDB CSV load (untimed above)", "s", [duck["load_s"]]),
    ]


if __name__ == "__main__":
    mode, kind, source, target, count = sys.argv[1:6]
    if mode == "ours":
        outcome = asyncio.run(run_ours(kind, source, Path(target), int(count)))
    else:
        outcome = run_duck(kind, Path(source), Path(target), int(count))
    print(json.dumps(outcome))
