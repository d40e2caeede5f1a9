"""Review periods (pure): which exist for each example, and the instant each review may start.

A review starts at its as-of instant (07:00 local) on its run day: example 1's review date, the
first working day after example 2's cycle ends, the first working day of the month after example
3's reviewed month. A period is accepted only once that instant has passed (so an early manual run
cannot take the ID the scheduled run needs) and only from ``MIN_YEAR`` on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain import learning_cycles, names
from domain.calendar import BusinessCalendar
from domain.credibility import next_month, parse_month

MIN_YEAR = 2000
AS_OF = time(7)


class ReviewPeriodError(ValueError):
    """The period does not exist for the example, or its review may not start yet."""


def review_as_of(example: str, period: str, calendar: BusinessCalendar, anchor: date) -> datetime:
    """The UTC instant at which the review of PERIOD starts; raises ReviewPeriodError."""
    try:
        run_day = _run_day(example, period, calendar, anchor)
        if run_day.year < MIN_YEAR:
            raise ReviewPeriodError(f"periods before {MIN_YEAR} do not exist")
        return calendar.wall(run_day, AS_OF).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, ReviewPeriodError):
            raise
        raise ReviewPeriodError(f"{period!r} is not a period that exists") from exc


def check_started(
    example: str, period: str, calendar: BusinessCalendar, anchor: date, now: datetime
) -> None:
    """Raise ReviewPeriodError unless the review of PERIOD may start at NOW."""
    as_of = review_as_of(example, period, calendar, anchor)
    if now < as_of:
        local = calendar.local(as_of)
        raise ReviewPeriodError(
            f"this review starts at {local:%H:%M} on {local.date().isoformat()} (its as-of "
            "instant), not before"
        )


def _run_day(example: str, period: str, calendar: BusinessCalendar, anchor: date) -> date:
    if example == names.EXAMPLE_CREDIBILITY:
        first = parse_month(period)
        if first.year < MIN_YEAR:
            raise ReviewPeriodError(f"periods before {MIN_YEAR} do not exist")
        day = next_month(first)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        return day
    day = date.fromisoformat(period)
    if day.year < MIN_YEAR:
        raise ReviewPeriodError(f"periods before {MIN_YEAR} do not exist")
    if example == names.EXAMPLE_LEARNING:
        start = date.fromisoformat(learning_cycles.audit_period(day, anchor))
        return learning_cycles.audit_run_day(start, calendar.is_working_day)
    return day
