"""Typed columns extracted from a source record's content at ingestion (migration 0005).

Set-based reviews (``store.acknowledgment_review``) compare and subtract these columns in SQL
instead of decoding every record's JSON in Python. Field names are shared across feeds (every
feed with an ``employee_id`` fills that column); a field a feed does not have is NULL.

Instants are integer microseconds since the Unix epoch (UTC): integer arithmetic is exact and
identical on SQLite and PostgreSQL (SQLite has no timestamp type; ``julianday`` floats would
round elapsed minutes differently at whole-minute boundaries).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.instants import instant

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

INSTANT_FIELDS = ("submitted_at", "first_acknowledged_at", "triage_completed_at")
TEXT_FIELDS = (
    "employee_id",
    "service_line",
    "triage_owner_id",
    "triage_status",
    "risk_domain",
    "manager_line",
)
FLAG_FIELDS = ("manager_reviewed", "unsafe_condition_active")

# Column names, in the order of ``typed_values``: instants get a ``_us`` suffix.
TYPED_COLUMNS: tuple[str, ...] = (
    *(f"{name}_us" for name in INSTANT_FIELDS),
    *TEXT_FIELDS,
    *FLAG_FIELDS,
)


def epoch_us(value: datetime | str | None) -> int | None:
    """Microseconds since the epoch of an instant (ISO 8601 text or datetime; naive = UTC)."""
    moment = instant(value) if isinstance(value, datetime | str) else None
    return None if moment is None else (moment - _EPOCH) // _MICROSECOND


def _typed(get: Callable[[str], Any]) -> tuple[Any, ...]:
    texts = tuple(
        str(value) if isinstance(value := get(name), str) else None for name in TEXT_FIELDS
    )
    flags = tuple(value if isinstance(value := get(name), bool) else None for name in FLAG_FIELDS)
    return (*(epoch_us(get(name)) for name in INSTANT_FIELDS), *texts, *flags)


def typed_from_content(content: dict[str, Any]) -> tuple[Any, ...]:
    """The typed columns of a stored record's JSON content (the backfill, SQLite writes)."""
    return _typed(content.get)


def typed_from_record(record: object) -> tuple[Any, ...]:
    """The same columns from a validated feed model (ingestion: no JSON decoding)."""
    return _typed(lambda name: getattr(record, name, None))


def typed_dict(values: tuple[Any, ...]) -> dict[str, Any]:
    """``{column: value}`` for an executemany or an UPDATE."""
    return dict(zip(TYPED_COLUMNS, values, strict=True))
