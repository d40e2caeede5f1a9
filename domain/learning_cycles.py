"""Example 2's 14-day cycles: which cycle a day falls in, when its audit runs and what instants
it covers (pure). Cycles tile time from ``DEFAULT_ANCHOR`` in both directions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from domain.calendar import BusinessCalendar
from domain.learning import DEFAULT_ANCHOR, LearningPolicy


def cycle_start_containing(day: date, anchor: date = DEFAULT_ANCHOR, days: int = 14) -> date:
    """Start of the cycle that contains ``day`` (cycles tile time in both directions)."""
    return anchor + timedelta(days=days * ((day - anchor).days // days))


def last_cycle_ended_on_or_before(day: date, anchor: date = DEFAULT_ANCHOR, days: int = 14) -> date:
    """Start of the last cycle whose end (its exclusive end date, 00:00) is on or before ``day``."""
    return cycle_start_containing(day, anchor, days) - timedelta(days=days)


def cycle_end(start: date, days: int = 14) -> date:
    """The cycle's exclusive end date: the cycle covers [start 00:00, end 00:00)."""
    return start + timedelta(days=days)


def is_cycle_start(day: date, anchor: date = DEFAULT_ANCHOR, days: int = 14) -> bool:
    return cycle_start_containing(day, anchor, days) == day


def audit_run_day(start: date, is_working_day: Callable[[date], bool], days: int = 14) -> date:
    """First working day after the cycle ends (its end date itself when that is working)."""
    day = cycle_end(start, days)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# From inside a workflow (no holidays there): the run day is the local date of the deadline
# "1 working day" counted from the eve of the cycle's end (the day of the start never counts).
RUN_DAY_RULE = "1 working day"


def run_day_probe(start: date, days: int = 14) -> datetime:
    """The instant to count ``RUN_DAY_RULE`` from: noon UTC on the eve of the cycle's end."""
    return datetime.combine(cycle_end(start, days) - timedelta(days=1), time(12), tzinfo=UTC)


def audit_cycle_for(
    day: date, is_working_day: Callable[[date], bool], anchor: date = DEFAULT_ANCHOR, days: int = 14
) -> date | None:
    """The cycle (start) whose audit runs on ``day``, or None when ``day`` is no audit day."""
    start = last_cycle_ended_on_or_before(day, anchor, days)
    return start if audit_run_day(start, is_working_day, days) == day else None


def audit_as_of(calendar: BusinessCalendar, start: date, policy: LearningPolicy) -> datetime:
    """The audit's ``as_of``: 07:00 local on its run day, as a UTC instant."""
    run_day = audit_run_day(start, calendar.is_working_day, policy.cycle_days)
    return calendar.wall(run_day, policy.audit_local_time).astimezone(UTC)


def cycle_window(
    calendar: BusinessCalendar, start: date, policy: LearningPolicy
) -> tuple[datetime, datetime]:
    """The cycle as UTC instants: [start 00:00 local, end 00:00 local)."""
    begin = calendar.wall(start, time(0)).astimezone(UTC)
    end = calendar.wall(cycle_end(start, policy.cycle_days), time(0)).astimezone(UTC)
    return begin, end


def audit_period(day: date, anchor: date = DEFAULT_ANCHOR, days: int = 14) -> str:
    """The review period (cycle start, ISO) of ``review learning-visibility DATE``."""
    return last_cycle_ended_on_or_before(day, anchor, days).isoformat()
