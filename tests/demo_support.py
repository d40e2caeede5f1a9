"""The demo data set as the tests read it: generated once per as-of, the as-ofs that matter
(a clock change, a year's first working day), and small readers of its rows."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from cli.demo_data import generate

LONDON = ZoneInfo("Europe/London")
AS_OFS = [
    datetime(2026, 11, 26, 7, 0, tzinfo=LONDON),
    datetime(2026, 4, 2, 7, 0, tzinfo=LONDON),  # the 30-day window spans the March clock change
    datetime(2027, 1, 4, 7, 0, tzinfo=LONDON),  # first working day of a month and a year
]
LOG, TRACKER, REGISTER = (
    "workforce-reporting-log",
    "manager-response-tracker",
    "service-line-governance-register",
)
Data = dict[str, list[dict[str, Any]]]


@cache
def data_for(as_of: datetime, seed: int = 7, reports: int = 150) -> Data:
    return generate(seed, reports, as_of)


def instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def minutes(later: datetime, earlier: datetime) -> int:
    return int((later - earlier).total_seconds() // 60)


def agree(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs((a - b).total_seconds()) <= 60


def by(rows: list[dict[str, Any]], key: str = "reference") -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}
