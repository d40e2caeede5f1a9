"""Feed ingestion, pure part: validate rows against the feed contract and parse CSV files.

Rows are validated as JSON in pydantic's strict mode: booleans must be JSON booleans, integers
JSON integers, timestamps ISO 8601 strings with an offset — ``"yes"`` or ``1`` never pass as a
boolean. CSV cells are converted to those JSON types first (``true``/``false``, integers,
``;``-separated lists; an empty cell is null, i.e. absent).
"""

from __future__ import annotations

import io
import types
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, PydanticSerializationError, to_json

from domain.collector import gc_paused
from domain.csv_records import CSV_ERROR, csv_records
from domain.feeds import FEEDS, FeedRecord, FeedSpec
from domain.text import pattern_message, unstorable_fields

CellKind = Literal["list", "bool", "int", "str"]
LIST_SEPARATOR = ";"


class UnknownFeed(LookupError):
    """The feed name is not one of SOURCES.md's feeds."""

    def __init__(self, feed: str) -> None:
        super().__init__(f"unknown feed {feed!r}; known feeds: {', '.join(sorted(FEEDS))}")
        self.feed = feed


class CsvHeaderError(ValueError):
    """The CSV file has no usable header row (missing, blank or duplicated column names)."""


class FieldError(BaseModel):
    field: str
    message: str


class RowRejection(BaseModel):
    """A rejected row: its 0-based index in the batch, its CSV line (if any) and why."""

    index: int
    line: int | None = None
    errors: list[FieldError]


def feed_spec(feed: str) -> FeedSpec:
    """The feed's spec; raises UnknownFeed."""
    try:
        return FEEDS[feed]
    except KeyError:
        raise UnknownFeed(feed) from None


def validate_rows(
    feed: str, rows: Sequence[Any], *, lines: Sequence[int] | None = None
) -> tuple[list[FeedRecord], list[RowRejection]]:
    """Valid records and rejections of a batch; raises UnknownFeed.

    Rows sharing a key collapse to the LAST valid one (the record list is ordered by each key's
    last occurrence), so a batch behaves like sending its rows one after another.
    """
    spec = feed_spec(feed)
    with gc_paused():
        return _validate(spec, rows, lines)


def _validate(
    spec: FeedSpec, rows: Sequence[Any], lines: Sequence[int] | None
) -> tuple[list[FeedRecord], list[RowRejection]]:
    not_object = [FieldError(field="(record)", message="a record must be a JSON object")]
    failures = {i: not_object for i, row in enumerate(rows) if not isinstance(row, dict)}
    for i, row in enumerate(rows):
        if isinstance(row, dict) and CSV_ERROR in row:  # a CSV line that could not be read
            failures[i] = [FieldError(field="(line)", message=str(row[CSV_ERROR]))]
    pending = [i for i in range(len(rows)) if i not in failures]
    validated = _validate_bulk(spec.model, rows, pending, failures)
    if validated is None:  # a value pydantic cannot serialise: find it row by row
        validated = _validate_each(spec.model, rows, pending, failures)
    rejections = [
        RowRejection(index=i, line=lines[i] if lines is not None else None, errors=failures[i])
        for i in sorted(failures)
    ]
    return last_per_key(spec, validated), rejections


def last_per_key(spec: FeedSpec, records: Iterable[FeedRecord]) -> list[FeedRecord]:
    """Each key's last record, in the order of each key's last occurrence."""
    valid: dict[str, FeedRecord] = {}
    for record in records:
        key = str(getattr(record, spec.key))
        valid.pop(key, None)
        valid[key] = record
    return list(valid.values())


@cache
def _list_adapter(model: type[FeedRecord]) -> TypeAdapter[list[FeedRecord]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _validate_bulk(
    model: type[FeedRecord],
    rows: Sequence[Any],
    pending: list[int],
    failures: dict[int, list[FieldError]],
) -> list[FeedRecord] | None:
    """Validate the pending rows as one JSON array; rows with errors are left out and retried.

    One pydantic-core call per batch instead of one per row; each failing pass removes at least
    one row, and a second pass over the remaining rows succeeds unless errors depend on each
    other (they do not: items validate independently). None if a row is not serialisable.
    """
    adapter = _list_adapter(model)
    while pending:
        try:
            # Python callers may pass datetimes or enums: they become their JSON (ISO, value) form.
            document = to_json([rows[i] for i in pending])
        except PydanticSerializationError:
            return None
        try:
            return adapter.validate_json(document, strict=True)
        except ValidationError as exc:
            by_item = _errors_by_item(exc)
            for position, errors in by_item.items():
                failures[pending[position]] = errors
            pending = [i for position, i in enumerate(pending) if position not in by_item]
    return []


def _errors_by_item(exc: ValidationError) -> dict[int, list[FieldError]]:
    by_item: dict[int, list[FieldError]] = {}
    for error in exc.errors(include_url=False):
        position, *loc = error["loc"]
        field = ".".join(str(part) for part in loc) or "(record)"
        by_item.setdefault(int(position), []).append(FieldError(field=field, message=_msg(error)))
    return by_item


def _validate_each(
    model: type[FeedRecord],
    rows: Sequence[Any],
    pending: list[int],
    failures: dict[int, list[FieldError]],
) -> list[FeedRecord]:
    records: list[FeedRecord] = []
    for index in pending:
        record, errors = _validate_row(model, rows[index])
        if record is None:
            failures[index] = errors
        else:
            records.append(record)
    return records


def _validate_row(model: type[FeedRecord], row: Any) -> tuple[FeedRecord | None, list[FieldError]]:
    try:
        document = to_json(row)
    except PydanticSerializationError as exc:
        unstorable = [FieldError(field=f, message=m) for f, m in unstorable_fields(row)]
        return None, unstorable or [
            FieldError(field="(record)", message=f"not JSON-serialisable: {exc}")
        ]
    try:
        return model.model_validate_json(document, strict=True), []
    except ValidationError as exc:
        return None, [
            FieldError(
                field=".".join(str(part) for part in error["loc"]) or "(record)",
                message=_msg(error),
            )
            for error in exc.errors(include_url=False)
        ]


def _msg(error: ErrorDetails) -> str:
    """Pydantic's message, made readable for the unstorable-text patterns."""
    return pattern_message(error["type"], error.get("ctx", {}).get("pattern"), error["msg"])


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
