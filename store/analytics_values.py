"""Each example-1 review item's analytic values, typed (``ack_item_values``), so the analytics
reads aggregate in SQL: at 50k items a read decoding every item's ``fields`` JSON in Python took
9× the bare query (bench/RESULTS.md, "Seventh session — analytics").

A generated review's items never change, so the values are computed once per review, by the same
Python the reads used to run per item (``item_values``): by the daily review workflow's own
activity right after it generates the review (``value_review``), and otherwise — a review from
before that activity, or whose valuing failed — the first time a read covers it
(``ensure_values``). The review statements stay as they are. Working time depends on the
provider's calendar: a review's values name the calendar they were measured by (its settings, the
rules' version and the bank-holiday data's), and a read with another calendar measures them again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.analytics import group_value, period_label
from domain.calendar import HOLIDAYS_VERSION, RULES_VERSION, BusinessCalendar, CalendarConfig
from domain.working_clock import WorkingClock, clock_for, epoch_us
from store.tables import Review, ReviewItem
from store.tables_analytics import AckItemValues, AckValuesReview

VALUES: Table = AckItemValues.__table__  # type: ignore[assignment]
REVIEWS_PER_FILL = 31  # reviews whose items are read, valued and written per statement
ITEMS_PER_CHUNK = 5_000  # one review's items read, valued and written per statement
DATES_PER_BATCH = 31  # review dates a read aggregates per statement: a month of daily reviews
DEFAULT_CALENDAR = BusinessCalendar(CalendarConfig())  # reads that need no working time


def calendar_key(cal: BusinessCalendar) -> str:
    """What names a calendar's working time: a digest of its settings, the calendar rules'
    version and the bank-holiday data's (a new ``holidays`` release values every review again)."""
    material = f"{cal.config.model_dump_json()}|rules={RULES_VERSION}|holidays={HOLIDAYS_VERSION}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def submitted_us(text: str | None) -> int | None:
    """``domain.instants.instant`` of a report's ``submitted_at``, as epoch microseconds."""
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return epoch_us(parsed)


def _working_us(clock: WorkingClock, start_us: int | None, minutes: Any) -> int | None:
    if start_us is None or minutes is None:
        return None
    return clock.working_us(start_us, start_us + minutes * 60_000_000)


def item_values(
    review_id: str, reference: str, period: str, classification: str | None,
    fields: dict[str, Any], clock: WorkingClock,
) -> dict[str, Any]:  # fmt: skip
    """The row of ``ack_item_values`` of one review item."""
    day = date.fromisoformat(period)
    ack, triage = fields.get("ack_elapsed_min"), fields.get("triage_elapsed_min")
    start_us = submitted_us(fields.get("submitted_at"))
    indicators = set(fields.get("indicators") or [])
    return {
        "review_id": review_id,
        "reference": reference,
        "period": period,
        "week": period_label(day, "week"),
        "month": period_label(day, "month"),
        "classification": classification,
        **{g: group_value(fields.get(g)) for g in ("service_line", "manager_line", "risk_domain")},
        "category_code": group_value(fields.get("category_code")),
        "ack_min": ack,
        "triage_min": triage,
        "no_owner": fields.get("triage_owner_id") is None,
        "working_ack_us": _working_us(clock, start_us, ack),
        "working_triage_us": _working_us(clock, start_us, triage),
        "over_threshold": "triage_over_threshold" in indicators,
        "no_owner_indicated": "no_named_triage_owner" in indicators,
        "manager_not_reviewed": "manager_not_reviewed" in indicators,
    }


def _insert(dialect_name: str, table: Any) -> Any:
    """An insert that leaves a row another transaction wrote first (two reads filling at once)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


async def ensure_values(
    session: AsyncSession, start: date, end: date, cal: BusinessCalendar | None = None
) -> int:
    """Write the values of every example-1 review of review dates in [start, end] that has none
    (or, given ``cal``, whose working times another calendar measured); returns the reviews
    valued. Idempotent; the caller commits (until then each read values them again)."""
    key = calendar_key(cal or DEFAULT_CALENDAR)
    marked = AckValuesReview.review_id == Review.review_id
    stale = or_(AckValuesReview.review_id.is_(None), AckValuesReview.calendar != key)
    todo = (
        await session.execute(
            select(Review.review_id, Review.period, AckValuesReview.review_id.is_not(None))
            .outerjoin(AckValuesReview, marked)
            .where(
                Review.example == names.EXAMPLE_ACKNOWLEDGMENT,
                Review.period >= start.isoformat(),
                Review.period <= end.isoformat(),
                stale if cal is not None else AckValuesReview.review_id.is_(None),
            )
            .order_by(Review.period, Review.review_id)
        )
    ).all()
    clock = clock_for(cal or DEFAULT_CALENDAR)
    for at in range(0, len(todo), REVIEWS_PER_FILL):
        batch = todo[at : at + REVIEWS_PER_FILL]
        stale_ids = [review_id for review_id, _, valued in batch if valued]
        await _fill(session, {r: period for r, period, _ in batch}, stale_ids, key, clock)
    return len(todo)


async def _fill(
    session: AsyncSession, period_of: dict[str, str], stale: list[str], key: str,
    clock: WorkingClock,
) -> None:  # fmt: skip
    ids = list(period_of)
    await _unvalue(session, stale)
    connection = await session.connection()  # Core rows: no ORM result processing per item
    items = await connection.execute(
        select(
            ReviewItem.review_id, ReviewItem.reference, ReviewItem.classification, ReviewItem.fields
        ).where(ReviewItem.review_id.in_(ids))
    )
    rows = [item_values(r, ref, period_of[r], c, f, clock) for r, ref, c, f in items]
    if rows:
        await connection.execute(_insert(connection.dialect.name, VALUES), rows)
    await _mark(connection, ids, key)


async def _unvalue(session: AsyncSession, stale: list[str]) -> None:
    """Drop the values (and marks) of reviews measured by another calendar (none: nothing)."""
    if stale:
        await session.execute(delete(AckItemValues).where(AckItemValues.review_id.in_(stale)))
        await session.execute(delete(AckValuesReview).where(AckValuesReview.review_id.in_(stale)))


async def _mark(connection: Any, ids: list[str], key: str) -> None:
    """Record the reviews as valued by the calendar named KEY (after their items' values)."""
    marks = [{"review_id": r, "calendar": key} for r in ids]
    await connection.execute(_insert(connection.dialect.name, AckValuesReview.__table__), marks)


async def value_review(
    session: AsyncSession, review_id: str, cal: BusinessCalendar,
    progress: Callable[[int], None] = lambda _: None,
) -> int:  # fmt: skip
    """Write one example-1 review's values by CAL, ITEMS_PER_CHUNK items a statement (PROGRESS
    gets the items done after each: the activity's heartbeat); returns the items valued, 0 when
    its values by CAL are there already. Retry-safe: the caller's one transaction writes the
    items, then the mark, so a failed attempt leaves nothing and a retry after success finds
    the mark; a read valuing it at the same time is absorbed by ON CONFLICT DO NOTHING."""
    key = calendar_key(cal)
    found = (
        await session.execute(
            select(Review.period, AckValuesReview.calendar)
            .outerjoin(AckValuesReview, AckValuesReview.review_id == Review.review_id)
            .where(Review.review_id == review_id)
        )
    ).one_or_none()
    if found is None or found.calendar == key:
        return 0
    await _unvalue(session, [review_id] if found.calendar is not None else [])
    connection = await session.connection()
    clock, after, done = clock_for(cal), "", 0
    while True:  # keyset over the items' primary key: memory holds one chunk
        items = (
            await connection.execute(
                select(ReviewItem.reference, ReviewItem.classification, ReviewItem.fields)
                .where(ReviewItem.review_id == review_id, ReviewItem.reference > after)
                .order_by(ReviewItem.reference)
                .limit(ITEMS_PER_CHUNK)
            )
        ).all()
        if not items:
            break
        rows = [item_values(review_id, ref, found.period, c, f, clock) for ref, c, f in items]
        await connection.execute(_insert(connection.dialect.name, VALUES), rows)
        after, done = items[-1].reference, done + len(rows)
        progress(done)
    await _mark(connection, [review_id], key)
    return done


def in_range(start: date, end: date) -> Any:
    """The values of review dates in [start, end]."""
    return and_(VALUES.c.period >= start.isoformat(), VALUES.c.period <= end.isoformat())
