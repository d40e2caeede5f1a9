"""CSV import keeps every valid row around unreadable lines (issue 10, item 7): a field longer
than the csv module's default limit (131,072) and an unterminated quote are each the rejection of
their line, with the reason; the rows before and after are stored."""

from __future__ import annotations

from pathlib import Path

from tests.import_cli_support import HEADER, invoke, migrated_url, stored  # noqa: F401 - fixture

FEED = "workforce-reporting-log"


def row(i: int, employee: str = "E1") -> str:
    return f"NM-{i:04d},{employee},north,,2026-11-20T10:00:00+00:00,"


async def test_long_field_and_open_quote_reject_their_lines_only(
    migrated_url,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
):
    lines = [HEADER, row(1), row(2, "X" * 131_073), row(3), row(4, '"E4'), row(5), row(6)]
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = await invoke(migrated_url, "import", FEED, str(path))

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "line 3: employee_id" in result.output
    assert "line 5: (line): a quoted field is never closed" in result.output
    assert sorted(await stored(migrated_url, FEED)) == ["NM-0001", "NM-0003", "NM-0005", "NM-0006"]
