"""Feed ingestion, CSV part: read a feed's CSV file into rows of the JSON types its contract
expects (``true``/``false``, integers, ``;``-separated lists; an empty cell is null, i.e. absent),
for ``domain.ingest.validate_rows`` to validate.
"""

from __future__ import annotations

import io
import types
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from domain.csv_records import CSV_ERROR, csv_records
from domain.feeds import FeedRecord
from domain.ingest import feed_spec

CellKind = Literal["list", "bool", "int", "str"]

LIST_SEPARATOR = ";"


class CsvHeaderError(ValueError):
    """The CSV file has no usable header row (missing, blank or duplicated column names)."""


def parse_csv(
    feed: str, text_or_lines: str | Iterable[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, row)`` for each data row of a CSV text or line iterable, lazily.

    The header row names the fields. Unknown columns are kept in every row (so validation rejects
    the row naming them); empty cells of known fields are left out (null). Raises UnknownFeed
    at once and CsvHeaderError when iteration starts on a file without a usable header.
    """
    chunks = parse_csv_chunks(feed, text_or_lines, 1)
    return (pair for line_numbers, rows in chunks for pair in zip(line_numbers, rows, strict=True))


def parse_csv_chunks(
    feed: str, text_or_lines: str | Iterable[str], size: int
) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
    """Like parse_csv, but yields ``(line_numbers, rows)`` of up to ``size`` rows at a time.

    Cells are converted a column at a time, which costs a fraction of converting them row by row.
    """
    spec = feed_spec(feed)
    lines = io.StringIO(text_or_lines) if isinstance(text_or_lines, str) else text_or_lines
    return _parse(cell_kinds(spec.model), lines, size)


def _parse(
    kinds: dict[str, CellKind], lines: Iterable[str], size: int
) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
    records = csv_records(lines)
    header = _header(cells for _, cells in records if not isinstance(cells, str))
    line_numbers: list[int] = []
    chunk: list[list[str] | str] = []
    for start, cells in records:
        if not isinstance(cells, str) and not "".join(cells).strip():  # blank line
            continue
        line_numbers.append(start)
        chunk.append(cells)
        if len(chunk) == size:
            yield line_numbers, _rows(header, chunk, kinds)
            line_numbers, chunk = [], []
    if chunk:
        yield line_numbers, _rows(header, chunk, kinds)


def _header(reader: Iterator[list[str]]) -> list[str]:
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise CsvHeaderError("the file has no header row (line 1 must name the fields)")
    if "" in header:
        raise CsvHeaderError(f"header column {header.index('') + 1} has no name")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise CsvHeaderError(f"duplicated header columns: {', '.join(duplicates)}")
    return header


_ABSENT: Any = object()  # an empty cell of a known field: left out of the row (null)


def _rows(
    header: list[str], chunk: list[list[str] | str], kinds: dict[str, CellKind]
) -> list[dict[str, Any]]:
    width = len(header)
    if any(isinstance(cells, str) or len(cells) != width for cells in chunk):  # rare: one by one
        return [
            {CSV_ERROR: cells} if isinstance(cells, str) else _row(header, cells, kinds)
            for cells in chunk
        ]
    columns = [
        _convert_column(kinds.get(name), column)
        for name, column in zip(header, zip(*chunk, strict=True), strict=True)
    ]
    return [
        {name: value for name, value in zip(header, values, strict=True) if value is not _ABSENT}
        for values in zip(*columns, strict=True)
    ]


def _convert_column(kind: CellKind | None, column: tuple[str, ...]) -> list[Any]:
    if kind is None:  # unknown column: keep it, even empty, so the row is rejected
        return [cell or None for cell in column]
    if kind == "str":
        return [value or _ABSENT for value in map(str.strip, column)]
    return [convert_cell(kind, cell) if cell.strip() else _ABSENT for cell in column]


def _row(header: list[str], cells: list[str], kinds: dict[str, CellKind]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        kind = kinds.get(name)
        if kind is None:  # unknown column: keep it, even empty, so the row is rejected
            row[name] = cell or None
        elif cell.strip():
            row[name] = convert_cell(kind, cell)
    for position, cell in enumerate(cells[len(header) :], start=len(header) + 1):
        row[f"(column {position}, beyond the header)"] = cell
    return row


def convert_cell(kind: CellKind, cell: str) -> Any:
    """A non-empty CSV cell as the JSON value the contract expects (left as text if it isn't)."""
    value = cell.strip()
    if kind == "list":
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    if kind == "bool" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            return value
    return value


@cache
def cell_kinds(model: type[FeedRecord]) -> dict[str, CellKind]:
    """How each field of ``model`` is read from a CSV cell, from its type annotation."""
    return {name: _kind(field.annotation) for name, field in model.model_fields.items()}


def _kind(annotation: Any) -> CellKind:
    if get_origin(annotation) in (Union, types.UnionType):
        non_null = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = non_null[0] if len(non_null) == 1 else annotation
    if get_origin(annotation) in (list, set, frozenset, tuple):
        return "list"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    return "str"
