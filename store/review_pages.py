"""Reads for the review pages: recent reviews per example, a review's service lines, and the
source records an exception's reasons name (to show conflicting values side by side)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.feeds import FEEDS
from store.item_fields import item_text
from store.sources import current_records
from store.tables import Case, Review
from store.tables import ReviewItem as ReviewItemRow


async def recent_reviews(session: AsyncSession, per_example: int = 10) -> dict[str, list[Review]]:
    """The latest ``per_example`` generated reviews of each example, newest first."""
    found: dict[str, list[Review]] = {}
    examples = await session.scalars(select(Review.example).distinct())
    for example in sorted(examples):
        rows = await session.scalars(
            select(Review)
            .where(Review.example == example)
            .order_by(Review.as_of.desc())
            .limit(per_example)
        )
        found[example] = list(rows)
    return found


async def review_service_lines(session: AsyncSession, review_id: str) -> list[str]:
    """The service lines a review's items belong to, sorted."""
    column = item_text(ReviewItemRow, "service_line")
    rows = await session.scalars(
        select(column).where(ReviewItemRow.review_id == review_id, column.is_not(None)).distinct()
    )
    return sorted(str(row) for row in rows)


async def source_record(
    session: AsyncSession, feed: str, fields: dict[str, Any], reference: str
) -> dict[str, Any] | None:
    """The feed's current record for a review item (keyed by the feed's own key field)."""
    spec = FEEDS.get(feed)
    if spec is None:
        return None
    key = str(fields.get(spec.key) or reference)
    return (await current_records(session, feed, [key])).get(key)


async def cases_still_opening(session: AsyncSession, review_id: str) -> bool:
    """True while some item the review exposed names a case not yet projected (marked reviewed,
    its cases are opening)."""
    unopened = (
        select(ReviewItemRow.reference)
        .where(
            ReviewItemRow.review_id == review_id,
            ReviewItemRow.case_id.is_not(None),
            ~exists().where(Case.case_id == ReviewItemRow.case_id),
        )
        .limit(1)
    )
    return (await session.scalar(unopened)) is not None


async def existing_cases(session: AsyncSession, case_ids: set[str]) -> set[str]:
    """Those of ``case_ids`` whose case has been opened (projected)."""
    if not case_ids:
        return set()
    rows = await session.scalars(select(Case.case_id).where(Case.case_id.in_(sorted(case_ids))))
    return set(rows)


async def review_cases(session: AsyncSession, review_id: str, limit: int = 500) -> list[Case]:
    """The cases a review opened (by reference), at most ``limit``."""
    rows = await session.scalars(
        select(Case).where(Case.review_id == review_id).order_by(Case.reference).limit(limit)
    )
    return list(rows)
