"""Benchmark 1: the daily review (reconcile, classify, store) at 10k/100k/1M in-scope reports,
against DuckDB computing the same classifications from the same rows (checked row for row).

Each side runs in its own child process so its peak RSS is its own:
``python -m bench.review ours URL OUT RUNS`` / ``python -m bench.review duck CSV OUT RUNS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql
from sqlalchemy.pool import NullPool

from bench import gen
from bench.common import (
    BackendCpu,
    Figure,
    admin,
    drop_schema,
    new_schema,
    peak_rss_mb,
    schema_url,
)
from bench.review_duck import review_sql
from domain.acknowledgment import AckPolicy
from store.acknowledgment import review_build
from store.db import make_engine, make_sessionmaker, split_schema, transaction
from store.review_build import DEFAULT_PARTS, build_review
from store.source_fields import TYPED_COLUMNS, typed_from_content
from store.tables import Review, ReviewItem

_COLUMNS = ("feed", "key", "version", "content", "content_hash", "received_at", *TYPED_COLUMNS)
_BATCH = 50_000


async def load(schema: str, in_scope: int) -> float:
    """COPY the generated rows (with their typed columns) into ``source_records``; returns the
    seconds it took."""
    start = time.perf_counter()
    received = datetime.now(UTC)
    connection = await admin()
    try:
        batch: list[tuple[Any, ...]] = []
        for rows in gen.reports(in_scope):
            for feed, content in rows.items():
                text = json.dumps(content, separators=(",", ":"))
                digest = hashlib.sha256(text.encode()).hexdigest()
                typed = typed_from_content(content)  # as ingestion extracts them
                batch.append((feed, content["reference"], 1, text, digest, received, *typed))
            if len(batch) >= _BATCH:
                await _copy(connection, schema, batch)
                batch = []
        await _copy(connection, schema, batch)
        await connection.execute(f'ANALYZE "{schema}".source_records')
    finally:
        await connection.close()
    return time.perf_counter() - start


async def _copy(connection: Any, schema: str, batch: list[tuple[Any, ...]]) -> None:
    await connection.copy_records_to_table(
        "source_records", schema_name=schema, records=batch, columns=_COLUMNS
    )


async def export(schema: str, path: Path) -> None:
    """The raw rows as CSV (feed, key, content) for DuckDB: exported once, not timed."""
    connection = await admin()
    try:
        await connection.copy_from_query(
            f'SELECT feed, key, content::text FROM "{schema}".source_records',
            output=str(path),
            format="csv",
            header=True,
        )
    finally:
        await connection.close()


async def timed_reviews(
    url: str,
    out: Path,
    runs: int,
    generate: Callable[[Any, str], Awaitable[None]],
    metric: str,
) -> dict[str, Any]:
    """Child: time ``generate(sessions, review_id)`` (commit included) ``runs`` times on an
    empty review table; dump the last run's items as CSV to ``out`` (reference, classification,
    number of reasons and ``metric``, an SQL expression over ``fields`` with its alias). Each
    run's CPU seconds, the database backend's and this process's, are kept as ``cpu``."""
    engine = make_engine(url, poolclass=NullPool)
    backend = BackendCpu(engine)
    sessions = make_sessionmaker(engine)
    times: list[float] = []
    cpu: list[float] = []
    try:
        async with transaction(sessions) as session:  # a kept schema's earlier runs
            await session.execute(delete(ReviewItem))
            await session.execute(delete(Review))
        for run in range(runs):
            review_id = f"bench-{run}"
            start, own, served = time.perf_counter(), time.process_time(), backend.total
            await generate(sessions, review_id)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - own + backend.total - served)
            if run < runs - 1:
                async with transaction(sessions) as session:
                    await session.execute(
                        delete(ReviewItem).where(ReviewItem.review_id == review_id)
                    )
                    await session.execute(delete(Review).where(Review.review_id == review_id))
    finally:
        await engine.dispose()
    schema = split_schema(url)[1]
    connection = await admin()
    try:
        await connection.copy_from_query(
            f"SELECT reference, classification, json_array_length(reasons) AS n_reasons, "
            f'{metric} FROM "{schema}".review_items WHERE review_id = $1',
            f"bench-{runs - 1}",
            output=str(out),
            format="csv",
            header=True,
        )
    finally:
        await connection.close()
    return {"times": times, "cpu": cpu, "rss_mb": peak_rss_mb()}


async def _generate(sessions: Any, review_id: str) -> None:
    build = review_build(review_id, gen.AS_OF.date(), gen.AS_OF, AckPolicy())
    await build_review(sessions, build, review_parts(), published)


def review_parts() -> int:
    """The connections the benches build a review on (as the worker: ``NEARMISS_REVIEW_PARTS``)."""
    return int(os.environ.get("NEARMISS_REVIEW_PARTS", DEFAULT_PARTS))


async def published(_session: Any, _review: Any) -> None:
    """The benches record nothing when a review is published (the worker's register entry)."""


async def run_ours(url: str, out: Path, runs: int) -> dict[str, Any]:
    """Child: time the review's build (``store.review_build``, commit included) ``runs`` times;
    dump the last one."""
    # Read through ``ReviewItem.fields`` (the document is rendered from typed columns).
    count = ReviewItem.fields["indicator_count"].as_integer()
    sql = count.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    metric = f"{sql} AS indicator_count"
    return await timed_reviews(url, out, runs, _generate, metric)


def run_duck(csv: Path, out: Path, runs: int) -> dict[str, Any]:
    """Child: load the export into DuckDB (timed apart), then time the review query ``runs``
    times, each storing its result in a table (as ours stores review items)."""
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(f"CREATE TABLE src AS SELECT * FROM read_csv('{csv}', header = true)")
    load_s = time.perf_counter() - start
    times, cpu = duck_runs(con, review_sql(gen.AS_OF, AckPolicy()), runs)
    con.execute(f"COPY result TO '{out}' (HEADER)")
    return {"times": times, "cpu": cpu, "rss_mb": peak_rss_mb(), "load_s": load_s}


def duck_runs(con: Any, sql: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (all of DuckDB's threads) of ``runs`` runs of ``sql``, each stored
    in the table ``result``."""
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, own = time.perf_counter(), time.process_time()
        con.execute(f"CREATE OR REPLACE TABLE result AS {sql}")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - own)
    return times, cpu


def cpu_figure(label: str, ours: dict[str, Any], duck: dict[str, Any]) -> Figure:
    """CPU seconds of the same runs: ours (database backend + client) against DuckDB's."""
    note = "CPU time: the other engineers' load barely moves it (0 for ours: server not local)"
    return Figure(label, "CPU, ours vs DuckDB", "s", ours["cpu"], duck["cpu"], note)


def run_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m MODULE ARGS`` (one side of a bench, in its own process for its peak RSS);
    the JSON object its last output line prints."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{module} {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def disagreements(ours: Path, duck: Path) -> tuple[int, int]:
    """(rows compared, rows that differ in classification, exception or indicator count)."""
    import duckdb

    con = duckdb.connect()
    total, differ = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE
              o.reference IS NULL OR d.reference IS NULL
              OR o.classification IS DISTINCT FROM d.classification
              OR (o.n_reasons > 0) IS DISTINCT FROM (d.n_reasons > 0)
              OR o.n_reasons IS DISTINCT FROM d.n_reasons
              OR o.indicator_count IS DISTINCT FROM d.indicator_count)
            FROM read_csv('{ours}', header = true) o
            FULL JOIN read_csv('{duck}', header = true) d USING (reference)"""
    ).fetchone() or (0, 0)
    return int(total), int(differ)


async def bench_size(
    in_scope: int, runs: int, schema: str | None = None, keep: bool = False
) -> list[Figure]:
    """Load ``in_scope`` reports into a fresh schema and measure both sides.

    ``keep``: leave the schema and its rows for later runs (``runs`` may be 0: load only);
    ``schema``: measure the rows such a run left there instead of loading (1M loads for minutes).
    """
    loaded = schema is not None
    if schema is None:
        schema, url = await new_schema("review")
    else:
        url = schema_url(schema)
    label = f"review {in_scope // 1000}k"
    try:
        load_s = 0.0 if loaded else await load(schema, in_scope)
        if not runs:
            return [Figure(label, f"load by COPY into schema {schema}", "s", [load_s])]
        with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
            raw, ours_out, duck_out = (Path(tmp) / n for n in ("raw.csv", "ours.csv", "duck.csv"))
            await export(schema, raw)
            ours = run_child("bench.review", "ours", url, str(ours_out), str(runs))
            duck = run_child("bench.review", "duck", str(raw), str(duck_out), str(runs))
            total, differ = disagreements(ours_out, duck_out)
    finally:
        if not keep:
            await drop_schema(schema)
    note = f"{total:,} rows compared, {differ} differ; load by COPY {load_s:.1f} s"
    return [
        Figure(label, "review vs DuckDB", "s", ours["times"], duck["times"], note),
        cpu_figure(label, ours, duck),
        Figure(label, "peak RSS", "MB", [ours["rss_mb"]], [duck["rss_mb"]], "child processes"),
        Figure(label, "DuckDB CSV load (untimed above)", "s", [duck["load_s"]]),
    ]


async def bench(quick: bool) -> list[Figure]:
    """10k (quick) or 10k, 100k and 1M in-scope reports (1M: two runs)."""
    sizes = [(10_000, 3)] if quick else [(10_000, 3), (100_000, 3), (1_000_000, 2)]
    figures: list[Figure] = []
    for in_scope, runs in sizes:
        figures += await bench_size(in_scope, runs)
    return figures


if __name__ == "__main__":
    mode, source, target, count = sys.argv[1:5]
    if mode == "ours":
        outcome = asyncio.run(run_ours(source, Path(target), int(count)))
    else:
        outcome = run_duck(Path(source), Path(target), int(count))
    print(json.dumps(outcome))
