"""Shared benchmark plumbing: figures, the results table, a bench database, peak memory."""

from __future__ import annotations

import os
import resource
import statistics
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from store.db import make_engine, with_schema
from store.tables import Base

ADMIN_URL = os.environ.get("NEARMISS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("NEARMISS_BENCH_DB", "bench")  # a database of your own


@dataclass
class Figure:
    """One line of the table: a measured series against its baseline series (same unit)."""

    bench: str
    metric: str
    unit: str
    values: list[float]
    baseline: list[float] = field(default_factory=list)
    note: str = ""

    def ratio(self) -> float | None:
        """Median over baseline median (None without a baseline)."""
        if not self.baseline or not statistics.median(self.baseline):
            return None
        return statistics.median(self.values) / statistics.median(self.baseline)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table: median [min-max] of each series, the baseline's, and their ratio."""
    lines = [
        "| bench | metric | median [min - max] | baseline median [min - max] | ratio | note |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        ours = (
            f"{_num(statistics.median(f.values))} [{_num(min(f.values))} - {_num(max(f.values))}]"
        )
        base = "-"
        if f.baseline:
            b = f.baseline
            base = f"{_num(statistics.median(b))} [{_num(min(b))} - {_num(max(b))}]"
        ratio = f.ratio()
        ratio_text = f"{ratio:.2f}x" if ratio is not None else "-"
        lines.append(
            f"| {f.bench} | {f.metric} ({f.unit}) | {ours} | {base} | {ratio_text} | {f.note} |"
        )
    return "\n".join(lines)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (MB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) a process of this machine has used so far (None: unreadable)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BackendCpu:
    """The CPU seconds the PostgreSQL backends of an asyncpg engine use while their connections
    are checked out (``total``): a figure the other engineers' load barely moves, unlike wall
    time. Counts nothing when the server is not on this machine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.total = 0.0
        event.listen(engine.sync_engine, "checkout", self._checkout)
        event.listen(engine.sync_engine, "checkin", self._checkin)

    def _checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        pid = dbapi_connection.driver_connection.get_server_pid()
        record.info["cpu"] = (pid, process_cpu_s(pid))

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        pid, start = record.info.pop("cpu", (0, None))
        end = process_cpu_s(pid) if start is not None else None
        if start is not None and end is not None:
            self.total += end - start


def load_average() -> str:
    """The 1/5/15-minute load averages, as text."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a list that holds the elapsed seconds once the block ends."""
    out: list[float] = []
    start = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - start)


async def admin(database: str = BENCH_DB) -> asyncpg.Connection:
    """A plain asyncpg connection to the bench database (created on first use)."""
    try:
        return await asyncpg.connect(f"{ADMIN_URL}/{database}")
    except asyncpg.InvalidCatalogNameError:
        root = await asyncpg.connect(f"{ADMIN_URL}/postgres")
        try:
            await root.execute(f'CREATE DATABASE "{database}"')
        finally:
            await root.close()
        return await asyncpg.connect(f"{ADMIN_URL}/{database}")


async def new_schema(prefix: str) -> tuple[str, str]:
    """A fresh schema of the bench database with every table: (schema, SQLAlchemy URL)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection = await admin()
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await connection.close()
    url = schema_url(schema)
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
    finally:
        await engine.dispose()
    return schema, url


def schema_url(schema: str) -> str:
    """The SQLAlchemy URL of a schema of the bench database."""
    return with_schema(
        f"{ADMIN_URL.replace('postgresql', 'postgresql+asyncpg')}/{BENCH_DB}", schema
    )


async def drop_schema(schema: str) -> None:
    """Drop a bench schema and everything in it."""
    connection = await admin()
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()
