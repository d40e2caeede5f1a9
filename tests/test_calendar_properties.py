"""Properties of the business calendar over random starts (2025–2028, any offset) and counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.calendar import BusinessCalendar, CalendarConfig

PROFILE = settings(max_examples=200, deadline=None, database=None)
LONDON = ZoneInfo("Europe/London")

ENGLAND = BusinessCalendar(CalendarConfig())
calendars = st.sampled_from(
    [
        ENGLAND,
        BusinessCalendar(CalendarConfig(region="scotland")),
        BusinessCalendar(CalendarConfig(region="northern-ireland")),
        BusinessCalendar(
            CalendarConfig(closure_days=(date(2026, 12, 24), date(2027, 3, 25), date(2028, 1, 4)))
        ),
    ]
)
starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59, 59),
    timezones=st.sampled_from(
        [UTC, LONDON, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
    ),
    allow_imaginary=False,
)
hours = st.integers(min_value=0, max_value=60)
days = st.integers(min_value=1, max_value=30)
shifts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))


def in_working_time(cal: BusinessCalendar, result: datetime) -> bool:
    """A local instant on a working day between opening and close of business inclusive."""
    config = cal.config
    return (
        result.tzinfo is cal.zone
        and cal.is_working_day(result.date())
        and config.working_day_start <= result.time() <= config.working_day_end
    )


@PROFILE
@given(calendars, starts, hours)
def test_working_hours_land_in_working_time_and_not_before_start(
    cal: BusinessCalendar, start: datetime, n: int
) -> None:
    result = cal.add_working_hours(start, n)
    assert in_working_time(cal, result)
    assert result - start >= timedelta(hours=n)


@PROFILE
@given(calendars, starts, days)
def test_working_days_end_at_close_of_business_after_start(
    cal: BusinessCalendar, start: datetime, n: int
) -> None:
    result = cal.add_working_days(start, n)
    assert in_working_time(cal, result) and result.time() == cal.config.working_day_end
    assert result.date() > cal.local(start).date()


@PROFILE
@given(calendars, starts)
def test_close_of_business_is_the_first_close_after_start(
    cal: BusinessCalendar, start: datetime
) -> None:
    result = cal.close_of_business(start)
    assert in_working_time(cal, result) and result > start
    assert result - start <= timedelta(days=7)


@PROFILE
@given(calendars, starts, shifts, hours, days)
def test_results_never_move_earlier_when_start_moves_later(
    cal: BusinessCalendar, start: datetime, shift: timedelta, n: int, d: int
) -> None:
    later = start + shift
    assert cal.add_working_hours(later, n) >= cal.add_working_hours(start, n)
    assert cal.add_working_days(later, d) >= cal.add_working_days(start, d)
    assert cal.close_of_business(later) >= cal.close_of_business(start)
    nth = min(d, 15)
    assert cal.nth_working_day_of_month(later, nth) >= cal.nth_working_day_of_month(start, nth)


@PROFILE
@given(calendars, starts, hours, hours)
@example(ENGLAND, datetime(2026, 3, 27, 16, tzinfo=LONDON), 3, 2)
@example(ENGLAND, datetime(2026, 10, 23, 16, 59, tzinfo=LONDON), 1, 8)
def test_working_hours_compose(cal: BusinessCalendar, start: datetime, a: int, b: int) -> None:
    assert cal.add_working_hours(start, a + b) == cal.add_working_hours(
        cal.add_working_hours(start, a), b
    )


@PROFILE
@given(calendars, starts, st.integers(min_value=0, max_value=60))
@example(ENGLAND, datetime(2026, 3, 28, 1, 30, tzinfo=LONDON), 1)
@example(ENGLAND, datetime(2026, 10, 24, 1, 30, tzinfo=LONDON), 1)
@example(ENGLAND, datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), 0)
def test_calendar_days_keep_the_wall_time(cal: BusinessCalendar, start: datetime, n: int) -> None:
    local = cal.local(start)
    result = cal.add_calendar_days(start, n)
    assert result >= start and result.date() == local.date() + timedelta(days=n)
    wanted = datetime.combine(result.date(), local.time())
    moved = result.replace(tzinfo=None) - wanted
    # Only a wall time that does not exist on the target day moves (forward, by the gap).
    assert moved in (timedelta(0), timedelta(hours=1))
    if moved:
        round_trip = wanted.replace(tzinfo=cal.zone).astimezone(UTC).astimezone(cal.zone)
        assert round_trip.replace(tzinfo=None) != wanted
