"""Instants: timestamps (ISO 8601 text with an offset, or datetimes) as UTC datetimes, shared by
every example's policy. Durations are computed on UTC instants: arithmetic on aware datetimes
sharing one ``ZoneInfo`` is wall-clock arithmetic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache


def instant(value: datetime | str | None) -> datetime | None:
    """Parse an ISO 8601 instant (or pass a datetime) and return it in UTC; naive means UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        return _parse_instant(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """The instant as ``isoformat()`` writes it (None stays None)."""
    return value.isoformat() if value is not None else None


@lru_cache(maxsize=1024)
def _parse_instant(text: str) -> datetime:
    """A review parses each report's timestamps up to three times: the repeats come cached."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def elapsed_minutes(start: datetime | str, end: datetime | str) -> int:
    """Whole minutes from ``start`` to ``end`` on UTC instants, rounded down."""
    begin, finish = instant(start), instant(end)
    assert begin is not None and finish is not None
    return (finish - begin) // timedelta(minutes=1)
