"""Pack periods (pure): which periods exist for each pack kind, their days, and human labels.

A weekly pack covers an ISO week (Monday to Sunday), a fortnightly pack one 14-day cycle counted
from the provider's anchor, a monthly pack a calendar month. A pack exists only for a period of
its kind that has begun (its first day is on or before the provider's local today).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain import names

CYCLE_DAYS = 14
MONTHS = (
    "January February March April May June July August September October November December"
).split()
PATTERNS = {
    names.PACK_WEEKLY: (r"(\d{4})-W(\d{2})", "an ISO week, e.g. 2026-W48"),
    names.PACK_FORTNIGHTLY: (r"\d{4}-\d{2}-\d{2}", "a cycle start date, e.g. 2026-11-16"),
    names.PACK_MONTHLY: (r"(\d{4})-(\d{2})", "a month, e.g. 2026-11"),
}


class PeriodError(ValueError):
    """The period does not exist for the kind, or has not begun (the message says which)."""


@dataclass(frozen=True)
class PackPeriod:
    """A pack's period: its label (the URL's), first and last local day, and a human label."""

    kind: str
    label: str
    first: date
    last: date

    @property
    def after(self) -> date:
        """The day after the period (its exclusive end)."""
        return self.last + timedelta(days=1)

    @property
    def human(self) -> str:
        span = f"{long_date(self.first)} to {long_date(self.last)}"
        if self.kind == names.PACK_WEEKLY:
            return f"week {self.label[6:].lstrip('0')} of {self.label[:4]} ({span})"
        if self.kind == names.PACK_FORTNIGHTLY:
            return f"cycle of {span}"
        return f"{MONTHS[self.first.month - 1]} {self.first.year}"


def long_date(day: date) -> str:
    """``23 November 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_bounds(kind: str, period: str, anchor: date) -> PackPeriod:
    """The period named by ``period`` for ``kind`` (begun or not); PeriodError if none."""
    pattern, expected = PATTERNS[kind]
    match = re.fullmatch(pattern, period)
    if match is None:
        raise PeriodError(f"expected {expected}")
    try:
        if kind == names.PACK_WEEKLY:
            first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return PackPeriod(kind, period, first, first + timedelta(days=6))
        if kind == names.PACK_MONTHLY:
            first = date(int(match[1]), int(match[2]), 1)
            following = (first + timedelta(days=31)).replace(day=1)
            return PackPeriod(kind, period, first, following - timedelta(days=1))
        first = date.fromisoformat(period)
    except ValueError:
        raise PeriodError(f"{period} is not a valid date; expected {expected}") from None
    offset = (first - anchor).days
    if offset < 0 or offset % CYCLE_DAYS:
        before, after = nearest_cycle_starts(first, anchor)
        near = f"{before.isoformat()} or {after.isoformat()}" if before else after.isoformat()
        raise PeriodError(f"{period} is not the start of a 14-day cycle; the nearest are {near}")
    return PackPeriod(kind, period, first, first + timedelta(days=CYCLE_DAYS - 1))


def nearest_cycle_starts(day: date, anchor: date) -> tuple[date | None, date]:
    """The cycle starts on or before ``day`` (None before the anchor) and after it."""
    offset = (day - anchor).days
    if offset < 0:
        return None, anchor
    before = anchor + timedelta(days=offset - offset % CYCLE_DAYS)
    return before, before + timedelta(days=CYCLE_DAYS)


def pack_period(kind: str, period: str, today: date, anchor: date) -> PackPeriod:
    """The period if it exists for ``kind`` and has begun by ``today``; else PeriodError."""
    found = period_bounds(kind, period, anchor)
    if found.first > today:
        raise PeriodError(
            f"{period} has not begun (it starts on {found.first.isoformat()}; "
            f"today is {today.isoformat()}); a pack covers a period that has begun"
        )
    return found


# -- which pack lists a case ------------------------------------------------------------------


def label_of(kind: str, first: date) -> str:
    """The period label of ``kind`` whose first day is ``first``."""
    if kind == names.PACK_WEEKLY:
        year, week, _ = first.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if kind == names.PACK_MONTHLY:
        return f"{first.year:04d}-{first.month:02d}"
    return first.isoformat()


def home_period(kind: str, review_period: str | None, opened: date, anchor: date) -> str:
    """The period whose pack a case belongs to: the one that shows the review that opened it.

    Weekly: the ISO week of its daily review. Fortnightly: its audit's cycle (the audit runs on
    the first working day after the cycle, and that cycle's summary is published then).
    Monthly: the month the closure review ran in, the month after the closures it reviewed.
    Without a review: the period the case opened in (for a fortnightly case, the cycle before:
    audits open cases in the cycle after theirs)."""
    if review_period and kind == names.PACK_WEEKLY:
        opened = date.fromisoformat(review_period)
    if kind == names.PACK_WEEKLY:
        return label_of(kind, opened - timedelta(days=opened.weekday()))
    if kind == names.PACK_MONTHLY:
        if review_period:
            first = date(int(review_period[:4]), int(review_period[5:7]), 1)
            return label_of(kind, (first + timedelta(days=31)).replace(day=1))
        return label_of(kind, opened.replace(day=1))
    if review_period:
        return review_period
    before, _ = nearest_cycle_starts(opened, anchor)
    return max(anchor, (before or anchor) - timedelta(days=CYCLE_DAYS)).isoformat()


def next_period(kind: str, period: str, anchor: date) -> str:
    """The period after ``period`` of ``kind``."""
    return label_of(kind, period_bounds(kind, period, anchor).after)


def listing_period(kind: str, home: str, published: set[str], anchor: date) -> str:
    """The one pack that lists a case awaiting visibility: its home period's, or, when that
    pack was already published (the case came to await visibility afterwards), the next
    period's pack not yet published."""
    period = home
    while period in published:
        period = next_period(kind, period, anchor)
    return period
