"""``nearmiss migrate`` and ``nearmiss import FEED FILE``.

The import streams the CSV, validates it in chunks (in a worker process) and upserts each
chunk in its own transaction, so a large file needs constant memory and a failure keeps the
chunks already stored (re-running the import is safe: identical records store nothing). Exit
codes: 0 all rows stored, 1 some rows rejected (the valid ones are stored), 2 unknown feed,
unreadable file or header, or a database that has not been migrated.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.context
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from config.settings import Settings
from domain.collector import gc_paused
from domain.ingest import RowRejection, UnknownFeed, feed_spec, validate_rows
from domain.ingest_csv import CsvHeaderError, parse_csv_chunks
from store.db import make_engine, make_sessionmaker, transaction
from store.migrate import upgrade
from store.sources import PreparedRecord, UpsertResult, prepare_records, store_prepared

CHUNK_ROWS = 5_000

err = Console(stderr=True, highlight=False)


def run_migrate() -> None:
    """Apply every migration to the configured database (idempotent)."""
    url = Settings().database_url
    asyncio.run(upgrade(url))
    typer.echo("database migrated")


def run_import(feed: str, file: Path) -> None:
    """Import FILE (CSV with a header row) into FEED; exits 1 if any row was rejected."""
    if not file.is_file():
        err.print(f"[red]no such file: {file}[/red]", soft_wrap=True)
        raise typer.Exit(2)
    try:
        feed_spec(feed)
    except UnknownFeed as exc:
        err.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        summary = asyncio.run(_import(Settings().database_url, feed, file))
    except (CsvHeaderError, UnicodeDecodeError, _NotMigrated) as exc:
        err.print(f"[red]{file}: {exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    _report(summary)
    if summary.rejected:
        raise typer.Exit(1)


class _NotMigrated(RuntimeError):
    pass


class ImportSummary(UpsertResult):
    """Totals of an import and each rejected row."""

    accepted: int = 0
    rejected: list[RowRejection] = []


class _Chunk(NamedTuple):
    last_line: int
    rows: int
    prepared: list[PreparedRecord]
    rejected: list[RowRejection]


def _start_method() -> multiprocessing.context.BaseContext:
    """Fork when this process has one thread (the CLI: fast, nothing to inherit); otherwise
    (embedded, e.g. run in a thread by tests) a forkserver, since forking a process that has
    other threads can inherit a lock one of them held."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


async def _import(url: str, feed: str, file: Path) -> ImportSummary:
    # A pipeline: a worker process parses, validates and hashes the next chunks while this one
    # stores the current chunk. A thread cannot overlap them: pydantic-core holds the GIL through
    # a chunk's validation, and the COPY's encoding needs it too (100k rows, 2 cores, load < 1:
    # 41k rows/s with a thread, 48-53k with a process; equal when other work loads both cores).
    # The worker is forked first, before this import opens a connection or starts the progress
    # thread, so it inherits neither.
    with ProcessPoolExecutor(
        1, mp_context=_start_method(), initializer=_open_chunks, initargs=(feed, file)
    ) as worker:
        loop = asyncio.get_running_loop()
        ahead = [loop.run_in_executor(worker, _next_chunk, feed) for _ in range(2)]
        try:
            return await _store_chunks(url, feed, file, worker, ahead)
        finally:
            for pending in ahead:
                with contextlib.suppress(Exception):
                    await pending


async def _store_chunks(
    url: str,
    feed: str,
    file: Path,
    worker: ProcessPoolExecutor,
    ahead: list[asyncio.Future[_Chunk | None]],
) -> ImportSummary:
    """Store the worker's chunks in order, each in its own transaction, keeping 2 in flight."""
    engine = make_engine(url)
    try:
        await _require_tables(engine)
        sessions = make_sessionmaker(engine)
        received_at = datetime.now(UTC)
        summary = ImportSummary()
        loop = asyncio.get_running_loop()
        with _progress() as progress:
            task = progress.add_task(file.name, total=_count_lines(file))
            while (chunk := await ahead.pop(0)) is not None:
                ahead.append(loop.run_in_executor(worker, _next_chunk, feed))
                async with transaction(sessions) as session:
                    result = await store_prepared(session, feed, chunk.prepared, received_at)
                _add(summary, result, chunk.rows - len(chunk.rejected), chunk.rejected)
                progress.update(task, completed=chunk.last_line)
        return summary
    finally:
        await engine.dispose()


# The worker process's CSV reader, opened by its initializer: chunks must be read in order.
_chunks: Iterator[tuple[list[int], list[dict[str, Any]]]] = iter(())


def _open_chunks(feed: str, file: Path) -> None:
    global _chunks
    _chunks = parse_csv_chunks(feed, file.open(encoding="utf-8-sig", newline=""), CHUNK_ROWS)


def _next_chunk(feed: str) -> _Chunk | None:
    """Parse, validate and hash the worker's next chunk; None at the end of the file."""
    with gc_paused():  # parsing allocates as much as validating (see gc_paused)
        line_numbers, rows = next(_chunks, ([], []))
        if not rows:
            return None
        records, rejected = validate_rows(feed, rows, lines=line_numbers)
        return _Chunk(line_numbers[-1], len(rows), prepare_records(feed, records), rejected)


def _add(
    summary: ImportSummary, result: UpsertResult, accepted: int, rejected: list[RowRejection]
) -> None:
    summary.inserted += result.inserted
    summary.updated += result.updated
    summary.unchanged += result.unchanged
    summary.accepted += accepted
    summary.rejected.extend(rejected)


async def _require_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        present = await connection.run_sync(lambda sync: inspect(sync).has_table("source_records"))
    if not present:
        raise _NotMigrated("the database has no tables yet: run `nearmiss migrate` first")


def _count_lines(file: Path) -> int:
    with file.open("rb") as raw:
        return sum(block.count(b"\n") for block in iter(lambda: raw.read(1 << 20), b""))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("lines"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _report(summary: ImportSummary) -> None:
    # Plain echo, not Rich: these lines are read by people and scripts alike, never wrapped.
    typer.echo(
        f"accepted {summary.accepted}, inserted {summary.inserted}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, rejected {len(summary.rejected)}"
    )
    for rejection in summary.rejected:
        for error in rejection.errors:
            typer.echo(f"line {rejection.line}: {error.field}: {error.message}")
