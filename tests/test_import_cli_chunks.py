"""``nearmiss import`` across several chunks (prepared in a worker process) and its file errors."""

from __future__ import annotations

from pathlib import Path

from cli.store_cmd import CHUNK_ROWS
from tests.import_cli_support import HEADER, invoke, migrated_url, stored

__all__ = ["migrated_url"]  # the fixture, from tests.import_cli_support


async def test_rejected_rows_keep_their_line_across_chunks(migrated_url, tmp_path: Path) -> None:
    rows = CHUNK_ROWS * 2 + 10
    lines = [HEADER] + [f"NM-{i:05d},E1,north,,2026-11-20T10:00:00+00:00," for i in range(rows)]
    bad_lines = [3, CHUNK_ROWS + 1, CHUNK_ROWS + 2, rows + 1]  # line n holds row n - 2
    for line in bad_lines:
        lines[line - 1] = lines[line - 1].replace("+00:00", "")
    lines[CHUNK_ROWS * 2] = lines[CHUNK_ROWS - 1].replace("north", "south")  # a repeated key
    csv_file = tmp_path / "log.csv"
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = await invoke(migrated_url, "import", "workforce-reporting-log", str(csv_file))
    assert result.exit_code == 1, result.output
    accepted = rows - len(bad_lines)
    assert f"accepted {accepted}, inserted {accepted - 1}, updated 1, unchanged 0" in result.stdout
    rejected = [line for line in result.stdout.splitlines() if line.startswith("line ")]
    assert [int(line.split(":")[0].removeprefix("line ")) for line in rejected] == bad_lines
    records = await stored(migrated_url, "workforce-reporting-log")
    assert records[f"NM-{CHUNK_ROWS - 2:05d}"]["service_line"] == "south"
    assert len(records) == accepted - 1


async def test_a_file_that_is_not_utf8_exits_2(migrated_url, tmp_path: Path) -> None:
    csv_file = tmp_path / "latin1.csv"
    csv_file.write_bytes(f"{HEADER}\nNM-1,Jos\xe9,north,,2026-11-20T10:00:00Z,\n".encode("latin-1"))
    result = await invoke(migrated_url, "import", "workforce-reporting-log", str(csv_file))
    assert result.exit_code == 2 and "codec can't decode" in result.stderr
