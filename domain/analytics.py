"""Pure helpers of the retention analytics: calendar periods (ISO weeks, months) and rates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from domain.instants import instant

PeriodKind = Literal["week", "month"]


class Period(NamedTuple):
    """One calendar period, clipped to the requested range: its label and first and last day."""

    label: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def period_label(day: date, kind: PeriodKind) -> str:
    """``2026-W48`` (ISO week) or ``2026-11`` (month) of ``day``."""
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def _period_end(day: date, kind: PeriodKind) -> date:
    if kind == "week":
        return day + timedelta(days=6 - day.weekday())
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def periods(start: date, end: date, kind: PeriodKind) -> list[Period]:
    """Every week or month overlapping [start, end] (inclusive), oldest first, clipped to it."""
    found: list[Period] = []
    day = start
    while day <= end:
        last = min(_period_end(day, kind), end)
        found.append(Period(period_label(day, kind), day, last))
        day = last + timedelta(days=1)
    return found


def months(start: date, end: date) -> list[str]:
    """``YYYY-MM`` of every month overlapping [start, end], oldest first."""
    return [p.label for p in periods(start, end, "month")]


def local_date(value: datetime | str | None, zone: str) -> date | None:
    """The provider-local calendar date of an instant (None stays None)."""
    moment = instant(value)
    return None if moment is None else moment.astimezone(ZoneInfo(zone)).date()


def rate(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator rounded to 4 places; None when the denominator is 0."""
    return round(numerator / denominator, 4) if denominator else None


def group_value(value: Any) -> str:
    """The group a record falls in; a missing value is the group ``unknown``."""
    return str(value) if value not in (None, "") else "unknown"


# What a risk domain cannot have: the staff directory gives workers a service line and a
# manager line, not a risk domain, so there is no head count and no leaver for it.
RISK_DOMAIN_HEADS = {
    "measure": "reports_per_head",
    "reason": "the staff directory has no risk domain, so no head count (nor hesitancy flag)",
}
RISK_DOMAIN_LEAVERS = {
    "measure": "leavers",
    "reason": "workers have a service line and manager line in the staff directory, "
    "not a risk domain",
}
