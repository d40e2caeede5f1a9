"""``nearmiss import`` and ``nearmiss migrate`` against a migrated SQLite file."""

from __future__ import annotations

from store.db import make_engine, make_sessionmaker
from store.sources import record_versions
from tests.fixtures.database import sqlite_file_url
from tests.import_cli_support import invoke, migrated_url, stored, write_log_csv

__all__ = ["migrated_url"]  # the fixture


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
