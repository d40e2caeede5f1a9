"""The example-1 review items of a range of review dates, read a few review dates at a time so a
five-year range is aggregated in bounded memory: a caller folds each batch into its figures and
drops the items.

Each batch holds every item of whole review dates (a date is never split between batches; a date
with two reviews has both), oldest dates first. The item's ``fields`` come decoded by the JSON
type: PostgreSQL's own ``->`` reparses the document per key and ``json_to_record`` costs ~20 µs
per item under load, more than decoding it here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.working_clock import WorkingClock, epoch_us
from store.tables import Review, ReviewItem

DATES_PER_BATCH = 31  # review dates per statement: a month of daily reviews
Item = tuple[str, str | None, dict[str, Any]]  # review date, classification, fields


async def ack_items(
    session: AsyncSession, start: date, end: date, *, classified_only: bool = False
) -> AsyncIterator[list[Item]]:
    """Every example-1 review item of review dates in [start, end], in batches of whole review
    dates, oldest first."""
    reviews = (
        await session.execute(
            select(Review.review_id, Review.period)
            .where(
                Review.example == names.EXAMPLE_ACKNOWLEDGMENT,
                Review.period >= start.isoformat(),
                Review.period <= end.isoformat(),
            )
            .order_by(Review.period, Review.review_id)
        )
    ).all()
    connection = await session.connection()  # Core rows: no ORM result processing per item
    for batch in _batches([(review_id, period) for review_id, period in reviews]):
        period_of = dict(batch)
        statement = select(
            ReviewItem.review_id, ReviewItem.classification, ReviewItem.fields
        ).where(ReviewItem.review_id.in_(list(period_of)))
        if classified_only:
            statement = statement.where(ReviewItem.classification.is_not(None))
        rows = await connection.execute(statement)
        yield [(period_of[review_id], c, fields) for review_id, c, fields in rows]


def _batches(reviews: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The reviews in groups of up to ``DATES_PER_BATCH`` whole review dates."""
    out: list[list[tuple[str, str]]] = []
    dates: set[str] = set()
    for review in reviews:
        if review[1] not in dates and len(dates) == DATES_PER_BATCH:
            dates = set()
        if not dates:
            out.append([])
        dates.add(review[1])
        out[-1].append(review)
    return out


def submitted_us(text: str | None) -> int | None:
    """``domain.instants.instant`` of a report's ``submitted_at``, as epoch microseconds."""
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return epoch_us(parsed)


def working_hours(clock: WorkingClock, text: str | None) -> Callable[[int], float | None]:
    """Working hours of a number of minutes from a report's submission (None without one)."""
    start_us = submitted_us(text)
    if start_us is None:
        return lambda _: None
    since = clock.since(start_us)
    return lambda minutes: since(start_us + minutes * 60_000_000)
