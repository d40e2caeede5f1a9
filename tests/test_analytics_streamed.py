"""The streamed example-1 analytics (acknowledgment trends, under-triage by category, the
reliability of /analytics/series) give exactly the figures of the Python that loaded every item,
on SQLite and PostgreSQL: random items over a DST change, with missing and empty groups,
exceptions, missing stamps and owners."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from domain.calendar import BusinessCalendar, CalendarConfig
from store.analytics import acknowledgment_trends
from store.analytics_reliability import reliability_measures
from store.analytics_triage import triage_trends
from store.analytics_values import DATES_PER_BATCH, ensure_values
from store.db import transaction
from tests.analytics_oracle_support import (
    DAYS,
    FIRST_DAY,
    TWICE,
    acknowledgment_oracle,
    random_items,
    reliability_oracle,
    rows_of,
    triage_oracle,
)

CALENDAR = BusinessCalendar(CalendarConfig())
GROUPS = ("service_line", "manager_line", "risk_domain")


@pytest.fixture
async def items(sessions):
    found = random_items(seed=5, count=900)
    async with transaction(sessions) as session:
        session.add_all(rows_of(found))
    return found


async def test_acknowledgment_trends_equal_the_oracle(sessions, items):
    start, end = FIRST_DAY + timedelta(days=1), FIRST_DAY + timedelta(days=DAYS - 2)
    assert (end - start).days + 1 > DATES_PER_BATCH  # read in more than one batch
    inside = [i for i in items if start.isoformat() <= i[0] <= end.isoformat()]
    async with sessions() as session:
        for group in GROUPS:
            got = await acknowledgment_trends(session, group, start, end, CALENDAR)
            assert got == acknowledgment_oracle(inside, group, CALENDAR), group
    unknown = [r for r in got if r["risk_domain"] == "unknown"]
    assert unknown == []  # every item has a risk domain: the groups are the data's
    async with sessions() as session:
        lines = await acknowledgment_trends(session, "service_line", start, end, CALENDAR)
    assert {r["service_line"] for r in lines} == {"SL-A", "SL-B", "SL-C", "unknown"}
    assert any(r["median_working_hours_to_first_acknowledgment"] for r in lines)
    assert sum(r["reports"] for r in lines) == len(inside)


async def test_triage_trends_equal_the_oracle(sessions, items):
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)
    async with sessions() as session:
        for group in GROUPS:
            got = await triage_trends(session, group, start, end)
            assert got == triage_oracle(items, group), group
    assert any(r["triage_over_threshold"] for r in got)
    assert any(r["category_code"] == "unknown" for r in got)


async def test_reliability_per_week_and_month_equals_the_oracle(sessions, items):
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)
    async with sessions() as session:
        for group in GROUPS:
            for kind in ("week", "month"):
                got = await reliability_measures(session, group, start, end, kind)
                assert got == reliability_oracle(items, group, kind), (group, kind)
    assert len(got) > 3


async def test_another_calendar_measures_the_working_times_again(sessions, items):
    """A review's values name the calendar of their working times: a read by another calendar
    measures them again (and the first calendar's read after it, again), each equal to the
    oracle of its own calendar."""
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)
    every_day = BusinessCalendar(
        CalendarConfig(timezone="America/Santiago", working_weekdays=(1, 2, 3, 4, 5, 6, 7),
                       public_holidays=False, working_day_start=time(6), working_day_end=time(22))
    )  # fmt: skip
    for cal in (CALENDAR, every_day, CALENDAR):
        async with transaction(sessions) as session:
            got = await acknowledgment_trends(session, "manager_line", start, end, cal)
        assert got == acknowledgment_oracle(items, "manager_line", cal)
    assert got != acknowledgment_oracle(items, "manager_line", every_day)  # they differ
    async with transaction(sessions) as session:  # valued: nothing left to value
        assert await ensure_values(session, start, end, CALENDAR) == 0
        assert await ensure_values(session, start, end) == 0  # any calendar will do


async def test_a_review_generated_after_a_read_is_counted_by_the_next(sessions, items):
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS + 5)
    async with transaction(sessions) as session:
        await triage_trends(session, "service_line", start, end)  # values every review
    later = [i for i in random_items(seed=9, count=200) if i[0] == TWICE.isoformat()]
    day = (FIRST_DAY + timedelta(days=DAYS + 2)).isoformat()
    moved = [(day, c, {**f, "reference": f"X{f['reference']}"}) for _, c, f in later]
    async with transaction(sessions) as session:
        session.add_all(rows_of(moved, days=[DAYS + 2]))
    every = items + moved
    async with sessions() as session:
        assert await triage_trends(session, "risk_domain", start, end) == triage_oracle(
            every, "risk_domain"
        )
        got = await acknowledgment_trends(session, "risk_domain", start, end, CALENDAR)
        assert got == acknowledgment_oracle(every, "risk_domain", CALENDAR)
        assert await reliability_measures(
            session, "risk_domain", start, end, "week"
        ) == reliability_oracle(every, "risk_domain", "week")
    assert got[-1]["review_date"] == moved[0][0] and moved


async def test_a_classification_outside_the_three_is_counted_as_before(sessions):
    """The item-by-item figures counted any classification under its own name (and as
    classified): the SQL counts do too."""
    found = [
        (p, "unusual" if n % 7 == 0 and c else c, f)
        for n, (p, c, f) in enumerate(random_items(seed=13, count=300))
    ]
    async with transaction(sessions) as session:
        session.add_all(rows_of(found))
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)
    async with sessions() as session:
        got = await acknowledgment_trends(session, "service_line", start, end, CALENDAR)
        assert got == acknowledgment_oracle(found, "service_line", CALENDAR)
        assert any(r.get("unusual") for r in got)
        assert await triage_trends(session, "manager_line", start, end) == triage_oracle(
            found, "manager_line"
        )
        assert await reliability_measures(
            session, "manager_line", start, end, "month"
        ) == reliability_oracle(found, "manager_line", "month")
