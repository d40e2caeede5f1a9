"""Working hours between two instants by walking the days: the oracle the working clock (and so
``BusinessCalendar.working_hours_between``, which delegates to it) is compared with. It is the
calendar's own implementation before the calendar delegated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.calendar import BusinessCalendar


def walked_hours(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Hours of working time in [start, end): each day's window overlapped in turn."""
    total = timedelta(0)
    day, last = calendar.local(start).date(), calendar.local(end).date()
    while day <= last:
        if calendar.is_working_day(day):
            opens = calendar.wall(day, calendar.config.working_day_start).astimezone(UTC)
            closes = calendar.wall(day, calendar.config.working_day_end).astimezone(UTC)
            total += max(min(closes, end) - max(opens, start), timedelta(0))
        day += timedelta(days=1)
    return total.total_seconds() / 3600
