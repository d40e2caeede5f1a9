"""The working clock (which ``BusinessCalendar.working_hours_between`` delegates to) gives the
day walk's figure exactly (the float itself), for instants across years, DST changes, bank
holidays, closures and other working weeks. The day walk
(``tests.working_hours_oracle``) is the oracle: the calendar's own implementation before."""

from __future__ import annotations

import random
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.calendar import BusinessCalendar, CalendarConfig
from domain.working_clock import WorkingClock, epoch_us
from tests.working_hours_oracle import walked_hours as walked

CONFIGS = [
    CalendarConfig(),
    CalendarConfig(
        timezone="America/Santiago",  # DST changes at local midnight
        working_day_start=time(0, 0),
        working_day_end=time(23, 59),
        working_weekdays=(1, 2, 3, 4, 5, 6, 7),
        public_holidays=False,
    ),
    CalendarConfig(
        timezone="Europe/London",
        region="scotland",
        working_day_start=time(1, 30),  # inside the spring gap once a year
        working_day_end=time(2, 30),
        closure_days=(date(2025, 12, 29), date(2026, 3, 30)),
        working_weekdays=(1, 3, 7),
    ),
]


@pytest.mark.parametrize("config", CONFIGS, ids=["default", "santiago-24h", "odd-hours"])
def test_clock_equals_the_calendar(config: CalendarConfig) -> None:
    calendar = BusinessCalendar(config)
    clock = WorkingClock(calendar)
    rng = random.Random(17)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    checked = 0
    for n in range(1500):
        # Far jumps first and back (the clock rebuilds), then mostly short spans as reports have.
        start = base + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        span = rng.choice([0, 1, 29, 61, 600, 4000, 20_000, 90_000]) + rng.randrange(0, 600)
        end = start + timedelta(minutes=span if n % 10 else -span, microseconds=rng.randrange(9))
        expected = walked(calendar, start, end)
        assert clock.hours(start, end) == expected, (start, end)
        assert calendar.working_hours_between(start, end) == expected, (start, end)  # delegates
        checked += expected > 0
    assert checked > 600  # most spans hold working time: the comparison is not of zeros


def test_hours_since_one_start_across_rebuilds() -> None:
    calendar = BusinessCalendar(CalendarConfig())
    clock = WorkingClock(calendar)
    start = datetime(2026, 3, 27, 15, 30, tzinfo=UTC)
    since = clock.since(epoch_us(start))
    # The second end lies beyond the built span (a rebuild); the third is near again.
    for days in (3, 900, 4, -2, 2000, 1):
        end = start + timedelta(days=days, minutes=7)
        assert since(epoch_us(end)) == walked(calendar, start, end), days
        early = start - timedelta(days=abs(days) * 3)  # builds further back: a new origin
        assert clock.hours(early, start) == walked(calendar, early, start)


def test_clock_at_window_edges() -> None:
    calendar = BusinessCalendar(CalendarConfig())
    clock = WorkingClock(calendar)
    friday_open = datetime(2026, 11, 27, 9, tzinfo=UTC)  # London is on UTC in November
    monday_close = datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert clock.hours(friday_open, monday_close) == 16.0
    assert clock.hours(monday_close, friday_open) == 0.0
    christmas_eve = datetime(2026, 12, 24, 12, tzinfo=UTC)
    assert clock.hours(christmas_eve, datetime(2026, 12, 29, 10, tzinfo=UTC)) == 5.0 + 1.0


def test_reads_from_many_threads_across_rebuilds() -> None:
    """Pages and packs may read one shared clock from several threads; a rebuild swaps a whole
    set of windows in, so no read mixes an old origin with new windows."""
    calendar = BusinessCalendar(CalendarConfig())
    clock = WorkingClock(calendar)
    rng = random.Random(5)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    spans = []
    for _ in range(400):  # far apart, so reads keep widening (rebuilding) the windows
        start = base + timedelta(days=rng.randrange(-3000, 3000), minutes=rng.randrange(1440))
        spans.append((start, start + timedelta(minutes=rng.choice([90, 4000, 20_000]))))
    expected = [walked(calendar, s, e) for s, e in spans]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            got = list(pool.map(lambda span: clock.hours(*span), spans))
    finally:
        sys.setswitchinterval(switch)
    assert got == expected
