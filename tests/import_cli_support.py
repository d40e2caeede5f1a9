"""``nearmiss`` commands run in a thread against a migrated SQLite file, and what they stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade
from store.sources import current_records
from tests.fixtures.database import sqlite_file_url

HEADER = "reference,employee_id,service_line,triage_owner_id,submitted_at,first_acknowledged_at"


@pytest.fixture
async def migrated_url(tmp_path: Path) -> str:
    url = sqlite_file_url(tmp_path / "cli.db")
    await upgrade(url)
    return url


def write_log_csv(path: Path, rows: int = 1_000, *, bad: bool = True) -> Path:
    lines = [HEADER]
    for i in range(rows):
        line = f"NM-{i:04d},E{i % 37},north,,2026-11-20T10:00:00+00:00,"
        lines.append(line)
    if not bad:
        return _write(path, lines)
    # Line numbers count the header as line 1: row i is on line i + 2.
    lines[101 - 1] = lines[101 - 1].replace("+00:00", "")  # no offset
    lines[900 - 1] = lines[900 - 1].replace("2026-11-20T10:00:00+00:00", "yesterday")
    lines[502 - 1] = lines[502 - 1] + ",extra"  # a cell beyond the header
    return _write(path, lines)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def invoke(url: str, *args: str) -> Result:
    """Run the command in a thread: it calls asyncio.run, which cannot nest in the test's loop."""
    runner = CliRunner()
    return await asyncio.to_thread(
        runner.invoke, app, list(args), env={"NEARMISS_DATABASE_URL": url}
    )


async def stored(url: str, feed: str) -> dict[str, dict[str, object]]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await current_records(session, feed)
    finally:
        await engine.dispose()
