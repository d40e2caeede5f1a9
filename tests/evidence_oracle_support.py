"""The evidence pack's reads as they were computed before they were set-based (every item and
entry loaded as an ORM object, its JSON decoded, counted in Python): the oracle the SQL reads are
compared with on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import local_date
from domain.names import EXAMPLE_ACKNOWLEDGMENT, EXAMPLE_CREDIBILITY
from store.tables import Review, ReviewItem


async def first_exposures(session: AsyncSession, end: date, zone: str) -> dict[str, date]:
    """store.analytics_leavers.first_exposures from every item's decoded ``fields``."""
    employee = ReviewItem.fields["employee_id"].as_string()
    acknowledged = await session.execute(
        select(employee, func.min(Review.period))
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_ACKNOWLEDGMENT,
            ReviewItem.classification.in_(("emerging", "critical")),
            Review.period <= end.isoformat(),
        )
        .group_by(employee)
    )
    first = {eid: date.fromisoformat(day) for eid, day in acknowledged if eid}
    closures = await session.scalars(
        select(ReviewItem.fields)
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_CREDIBILITY,
            ReviewItem.classification.in_(("doubtful", "failed")),
        )
    )
    for fields in closures:
        eid, day = fields.get("employee_id"), local_date(fields.get("closed_at"), zone)
        if eid and day is not None and day <= end and (eid not in first or day < first[eid]):
            first[eid] = day
    return first
