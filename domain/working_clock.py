"""Working time as a running total, for reads that need ``working_hours_between`` per row.

``BusinessCalendar.working_hours_between`` walks the days between two instants and builds each
day's window anew: fine for a deadline, slow for the tens of thousands of reports an analytics
range holds. A :class:`WorkingClock` builds the calendar's daily windows once (UTC microseconds)
with the working time before each, so the working time up to an instant is one bisection, and
the working time between two instants is a difference of two. The figures are the calendar's
exactly: the same windows, summed in whole microseconds, divided as ``timedelta.total_seconds``
divides.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from domain.calendar import BusinessCalendar

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_MARGIN = timedelta(days=366)  # built around a missed instant, so a range rebuilds rarely


def epoch_us(moment: datetime) -> int:
    """Microseconds since 1970 UTC of an aware instant."""
    return (moment - EPOCH) // _US


class WorkingClock:
    """The working windows of one calendar over a span of days that grows on demand."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self._first: date | None = None
        self._last: date | None = None
        self._from_us = self._until_us = 0  # the instants the built days cover: [from, until)
        self._opens: list[int] = []
        self._lengths: list[int] = []
        self._before: list[int] = []  # working microseconds of the windows before each
        self._builds = 0

    def _midnight_us(self, day: date) -> int:
        return epoch_us(self.calendar.wall(day, time(0)))

    def _build(self, first: date, last: date) -> None:
        cal = self.calendar
        opens, lengths, before, total = [], [], [], 0
        day = first
        while day <= last:
            if cal.is_working_day(day):
                opens_at = epoch_us(cal.wall(day, cal.config.working_day_start))
                length = max(0, epoch_us(cal.wall(day, cal.config.working_day_end)) - opens_at)
                opens.append(opens_at)
                lengths.append(length)
                before.append(total)
                total += length
            day += timedelta(days=1)
        self._first, self._last = first, last
        self._from_us, self._until_us = (
            self._midnight_us(first),
            self._midnight_us(last + timedelta(days=1)),
        )
        self._opens, self._lengths, self._before = opens, lengths, before
        self._builds += 1

    def _cover(self, at_us: int) -> None:
        if self._first is not None and self._from_us <= at_us < self._until_us:
            return
        day = (EPOCH + at_us * _US).astimezone(self.calendar.zone).date()
        first = day - _MARGIN if self._first is None else min(self._first, day - _MARGIN)
        last = day + _MARGIN if self._last is None else max(self._last, day + _MARGIN)
        self._build(first, last)

    def before(self, at_us: int) -> int:
        """Working microseconds of the built windows before the instant ``at_us``."""
        if not self._from_us <= at_us < self._until_us or self._first is None:
            self._cover(at_us)
        index = bisect_right(self._opens, at_us) - 1
        if index < 0:
            return 0
        return self._before[index] + min(at_us - self._opens[index], self._lengths[index])

    def since(self, start_us: int) -> Callable[[int], float]:
        """``working_hours_between`` from ``start_us`` to an instant (epoch microseconds)."""
        first = self.before(start_us)
        built = self._builds

        def hours(end_us: int) -> float:
            if end_us <= start_us:
                return 0.0
            if not self._from_us <= end_us < self._until_us:
                self._cover(end_us)
            if self._builds != built:  # a rebuild moved the origin: read the start again
                return ((self.before(end_us) - self.before(start_us)) / 1_000_000) / 3600
            return ((self.before(end_us) - first) / 1_000_000) / 3600

        return hours

    def working_us(self, start_us: int, end_us: int) -> int:
        """Working microseconds in [start_us, end_us): ``hours_us`` is this / 1e6 / 3600."""
        if end_us <= start_us:
            return 0
        while True:
            built = self._builds
            worked = self.before(end_us) - self.before(start_us)
            if self._builds == built:  # (a rebuild between the two moves the origin)
                return worked

    def hours_us(self, start_us: int, end_us: int) -> float:
        """``working_hours_between`` of two instants given as epoch microseconds."""
        return (self.working_us(start_us, end_us) / 1_000_000) / 3600

    def hours(self, start: datetime, end: datetime) -> float:
        """Hours of working time in [start, end), as ``BusinessCalendar.working_hours_between``."""
        return self.hours_us(epoch_us(start), epoch_us(end))


@lru_cache(maxsize=16)
def clock_for(calendar: BusinessCalendar) -> WorkingClock:
    """The (shared) clock of a calendar: its windows are built once per process, not per read."""
    return WorkingClock(calendar)
