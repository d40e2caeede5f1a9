"""Feed ingestion, pure part: validate rows against the feed contract (CSV files are read into
rows by ``domain.ingest_csv``).

Rows are validated as JSON in pydantic's strict mode: booleans must be JSON booleans, integers
JSON integers, timestamps ISO 8601 strings with an offset — ``"yes"`` or ``1`` never pass as a
boolean. CSV cells are converted to those JSON types first (``true``/``false``, integers,
``;``-separated lists; an empty cell is null, i.e. absent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, PydanticSerializationError, to_json

from domain.collector import gc_paused
from domain.csv_records import CSV_ERROR
from domain.feeds import FEEDS, FeedRecord, FeedSpec
from domain.text import pattern_message, unstorable_fields


class UnknownFeed(LookupError):
    """The feed name is not one of SOURCES.md's feeds."""

    def __init__(self, feed: str) -> None:
        super().__init__(f"unknown feed {feed!r}; known feeds: {', '.join(sorted(FEEDS))}")
        self.feed = feed


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
