"""``nearmiss import`` and ``nearmiss migrate`` against a migrated SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade
from store.sources import current_records, record_versions
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


async def test_import_stores_valid_rows_and_names_the_rejected_ones(migrated_url, tmp_path) -> None:
    csv_file = write_log_csv(tmp_path / "log.csv")
    result = await invoke(migrated_url, "import", "workforce-reporting-log", str(csv_file))
    assert result.exit_code == 1, result.output
    assert "accepted 997, inserted 997, updated 0, unchanged 0, rejected 3" in result.stdout
    rejected = [line for line in result.stdout.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in rejected] == ["line 101", "line 502", "line 900"]
    assert "line 101: submitted_at: Input should have timezone info" in rejected
    assert rejected[1].startswith("line 502: (column 7, beyond the header): Extra inputs")
    assert rejected[2].startswith("line 900: submitted_at: Input should be a valid datetime")
    records = await stored(migrated_url, "workforce-reporting-log")
    assert len(records) == 997 and "NM-0099" not in records and "NM-0100" in records


async def test_reimporting_changes_nothing(migrated_url, tmp_path) -> None:
    csv_file = write_log_csv(tmp_path / "log.csv", rows=20, bad=False)
    first = await invoke(migrated_url, "import", "workforce-reporting-log", str(csv_file))
    again = await invoke(migrated_url, "import", "workforce-reporting-log", str(csv_file))
    assert first.exit_code == again.exit_code == 0, first.output
    assert "unchanged 20, rejected 0" in again.stdout
    engine = make_engine(migrated_url)
    async with make_sessionmaker(engine)() as session:
        versions = await record_versions(session, "workforce-reporting-log", "NM-0003")
    await engine.dispose()
    assert [v["version"] for v in versions] == [1]


async def test_unknown_feed_and_missing_file_exit_2(migrated_url, tmp_path) -> None:
    csv_file = write_log_csv(tmp_path / "log.csv", rows=2, bad=False)
    unknown = await invoke(migrated_url, "import", "workforce-log", str(csv_file))
    missing = await invoke(
        migrated_url, "import", "workforce-reporting-log", str(tmp_path / "no.csv")
    )
    assert unknown.exit_code == 2 and "unknown feed 'workforce-log'" in unknown.stderr
    assert missing.exit_code == 2


async def test_bad_header_and_unmigrated_database_exit_2(tmp_path) -> None:
    empty_db = sqlite_file_url(tmp_path / "empty.db")
    csv_file = write_log_csv(tmp_path / "log.csv", rows=2, bad=False)
    unmigrated = await invoke(empty_db, "import", "workforce-reporting-log", str(csv_file))
    assert unmigrated.exit_code == 2 and "nearmiss migrate" in unmigrated.stderr
    migrate = await invoke(empty_db, "migrate")
    assert migrate.exit_code == 0, migrate.output
    headerless = tmp_path / "empty.csv"
    headerless.write_text("\n")
    bad = await invoke(empty_db, "import", "workforce-reporting-log", str(headerless))
    assert bad.exit_code == 2 and "header" in bad.stderr
