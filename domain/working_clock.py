"""Working time as a running total: the one rule for ``working_hours_between``.

``BusinessCalendar.working_hours_between`` delegates here: walking the days between two instants
and building each day's window anew was a second implementation of the same rule, and slow for
the tens of thousands of reports an analytics range holds. A :class:`WorkingClock` builds the
calendar's daily windows once (UTC microseconds) with the working time before each, so the
working time up to an instant is one bisection, and between two instants a difference of two.
The figures are the calendar's windows exactly, summed in whole microseconds and divided as
``timedelta.total_seconds`` divides (``tests/working_hours_oracle.py`` keeps the day walk).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the calendar delegates its working_hours_between here
    from domain.calendar import BusinessCalendar

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_MARGIN = timedelta(days=366)  # built around a missed instant, so a range rebuilds rarely


def epoch_us(moment: datetime) -> int:
    """Microseconds since 1970 UTC of an aware instant."""
    return (moment - EPOCH) // _US


@dataclass(frozen=True, slots=True)
class _Windows:
    """The working windows of the days ``first`` to ``last``, covering [from_us, until_us)."""

    first: date
    last: date
    from_us: int
    until_us: int
    opens: list[int]
    lengths: list[int]
    before: list[int]  # working microseconds of the windows before each

    def covers(self, at_us: int) -> bool:
        return self.from_us <= at_us < self.until_us

    def before_us(self, at_us: int) -> int:
        index = bisect_right(self.opens, at_us) - 1
        if index < 0:
            return 0
        return self.before[index] + min(at_us - self.opens[index], self.lengths[index])


class WorkingClock:
    """The working windows of one calendar over a span of days that grows on demand.

    Deterministic: a figure depends only on the calendar and the two instants (the windows are
    a cache). A rebuild swaps in a whole new ``_Windows`` and every read works on the one it
    took, so reads in other threads never see half a rebuild."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self._windows: _Windows | None = None

    def _midnight_us(self, day: date) -> int:
        return epoch_us(self.calendar.wall(day, time(0)))

    def _build(self, first: date, last: date) -> _Windows:
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
        until = self._midnight_us(last + timedelta(days=1))
        return _Windows(first, last, self._midnight_us(first), until, opens, lengths, before)

    def _covering(self, *instants_us: int) -> _Windows:
        """Windows covering every instant (the current ones, or built wider and swapped in)."""
        built = self._windows
        if built is not None and all(built.covers(at) for at in instants_us):
            return built
        days = [(EPOCH + at * _US).astimezone(self.calendar.zone).date() for at in instants_us]
        first, last = min(days) - _MARGIN, max(days) + _MARGIN
        if built is not None:
            first, last = min(built.first, first), max(built.last, last)
        self._windows = windows = self._build(first, last)
        return windows

    def before(self, at_us: int) -> int:
        """Working microseconds before the instant ``at_us`` (from the built windows' start)."""
        return self._covering(at_us).before_us(at_us)

    def since(self, start_us: int) -> Callable[[int], float]:
        """``working_hours_between`` from ``start_us`` to an instant (epoch microseconds)."""
        windows = self._covering(start_us)
        first = windows.before_us(start_us)

        def hours(end_us: int) -> float:
            if end_us <= start_us:
                return 0.0
            now = self._covering(start_us, end_us)
            # A rebuild moved the origin: read the start again on the new windows.
            begin = first if now is windows else now.before_us(start_us)
            return ((now.before_us(end_us) - begin) / 1_000_000) / 3600

        return hours

    def working_us(self, start_us: int, end_us: int) -> int:
        """Working microseconds in [start_us, end_us): ``hours_us`` is this / 1e6 / 3600."""
        if end_us <= start_us:
            return 0
        windows = self._windows  # both ends on one set of windows (start < end: the two bounds)
        if windows is None or not windows.from_us <= start_us < end_us < windows.until_us:
            windows = self._covering(start_us, end_us)
        return windows.before_us(end_us) - windows.before_us(start_us)

    def hours_us(self, start_us: int, end_us: int) -> float:
        """``working_hours_between`` of two instants given as epoch microseconds."""
        return (self.working_us(start_us, end_us) / 1_000_000) / 3600

    def hours(self, start: datetime, end: datetime) -> float:
        """Hours of working time in [start, end): the calendar's ``working_hours_between``."""
        return self.hours_us(epoch_us(start), epoch_us(end))


@lru_cache(maxsize=16)
def clock_for(calendar: BusinessCalendar) -> WorkingClock:
    """The (shared) clock of a calendar: its windows are built once per process, not per read."""
    return WorkingClock(calendar)
