"""The streamed example-1 analytics (acknowledgment trends, under-triage by category, the
reliability of /analytics/series) give exactly the figures of the Python that loaded every item,
on SQLite and PostgreSQL: random items over a DST change, with missing and empty groups,
exceptions, missing stamps and owners."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.calendar import BusinessCalendar, CalendarConfig
from store.analytics import acknowledgment_trends
from store.analytics_items import DATES_PER_BATCH
from store.analytics_reliability import reliability_measures
from store.analytics_triage import triage_trends
from store.db import transaction
from tests.analytics_oracle_support import (
    DAYS,
    FIRST_DAY,
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
