"""Example 1's analytics values written by the daily review's own activity
(``value_acknowledgment_review``), on SQLite and PostgreSQL: the reads then value nothing and
give the oracle's figures; a retried attempt writes each item once; a new calendar-data version
values again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from temporalio.testing import ActivityEnvironment

from activities.acknowledgment import AcknowledgmentActivities
from activities.deps import ActivityDeps
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.periodic import ValueReviewRequest
from store import analytics_values
from store.analytics import acknowledgment_trends
from store.analytics_triage import triage_trends
from store.analytics_values import calendar_key, ensure_values
from store.db import transaction
from store.tables import Review, ReviewItem
from store.tables_analytics import AckItemValues, AckValuesReview
from tests.analytics_oracle_support import (
    DAYS,
    FIRST_DAY,
    TWICE,
    acknowledgment_oracle,
    random_items,
    rows_of,
    triage_oracle,
)

CONFIG = CalendarConfig()
CALENDAR = BusinessCalendar(CONFIG)
START, END = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)
BUSY = f"ack-review-{TWICE}"  # the review date with most items


@pytest.fixture
async def items(sessions, monkeypatch):
    monkeypatch.setattr(analytics_values, "ITEMS_PER_CHUNK", 3)  # reviews of several chunks
    found = random_items(seed=11, count=600)
    async with transaction(sessions) as session:
        session.add_all(rows_of(found))
    return found


async def _value(sessions, review_id: str, beats: list[int] | None = None) -> int:
    env = ActivityEnvironment()
    if beats is not None:
        env.on_heartbeat = lambda *details: beats.append(details[0])
    activities = AcknowledgmentActivities(ActivityDeps(sessions=sessions))
    valued = await env.run(
        activities.value_acknowledgment_review,
        ValueReviewRequest(review_id=review_id, calendar=CONFIG),
    )
    return valued.items


async def _counts(sessions, review_id: str) -> tuple[int, int, int]:
    counts = []
    async with sessions() as session:
        for column in (ReviewItem.review_id, AckItemValues.review_id, AckValuesReview.review_id):
            counted = select(func.count()).select_from(column.table).where(column == review_id)
            counts.append(await session.scalar(counted) or 0)
    return counts[0], counts[1], counts[2]


async def test_reviews_valued_by_the_activity_are_read_without_valuing(sessions, items):
    async with sessions() as session:
        review_ids = (await session.scalars(select(Review.review_id))).all()
    beats: list[int] = []
    for review_id in review_ids:
        assert await _value(sessions, review_id, beats) == (await _counts(sessions, review_id))[0]
    assert len(beats) > len(review_ids)  # a heartbeat per chunk
    async with transaction(sessions) as session:
        assert await ensure_values(session, START, END, CALENDAR) == 0  # nothing left to a read
    async with sessions() as session:
        got = await acknowledgment_trends(session, "service_line", START, END, CALENDAR)
        assert got == acknowledgment_oracle(items, "service_line", CALENDAR)
        assert await triage_trends(session, "risk_domain", START, END) == triage_oracle(
            items, "risk_domain"
        )


async def test_a_retried_valuing_writes_each_item_once(sessions, items):
    """An attempt that dies after writing some chunks leaves nothing (one transaction); the
    retry writes every item; a retry after a success whose answer was lost writes none."""
    expected = (await _counts(sessions, BUSY))[0]
    assert expected > 2 * analytics_values.ITEMS_PER_CHUNK

    def crash(*details: object) -> None:
        if details[0] > analytics_values.ITEMS_PER_CHUNK:  # its second chunk is written
            raise ConnectionError("worker lost")

    env = ActivityEnvironment()
    env.on_heartbeat = crash
    activities = AcknowledgmentActivities(ActivityDeps(sessions=sessions))
    request = ValueReviewRequest(review_id=BUSY, calendar=CONFIG)
    with pytest.raises(ConnectionError):
        await env.run(activities.value_acknowledgment_review, request)
    assert await _counts(sessions, BUSY) == (expected, 0, 0)
    assert await _value(sessions, BUSY) == expected
    assert await _value(sessions, BUSY) == 0
    assert await _counts(sessions, BUSY) == (expected, expected, 1)
    async with sessions() as session:  # the other reviews are still a read's to value
        got = await acknowledgment_trends(session, "manager_line", START, END, CALENDAR)
    assert got == acknowledgment_oracle(items, "manager_line", CALENDAR)


async def test_new_bank_holiday_data_values_again(sessions, items, monkeypatch):
    assert await _value(sessions, BUSY) > 0
    async with transaction(sessions) as session:
        assert await ensure_values(session, TWICE, TWICE, CALENDAR) == 1  # its twin review
    before = calendar_key(CALENDAR)
    monkeypatch.setattr(analytics_values, "HOLIDAYS_VERSION", "a later release")
    assert calendar_key(CALENDAR) != before
    async with transaction(sessions) as session:
        assert await ensure_values(session, TWICE, TWICE, CALENDAR) == 2  # both, again
    async with sessions() as session:
        mark = await session.get(AckValuesReview, BUSY)
    assert mark is not None and mark.calendar == calendar_key(CALENDAR)
    assert await _value(sessions, BUSY) == 0
