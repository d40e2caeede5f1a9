"""A review built on several connections (``store.review_build``) against its one-statement build:
the stored items compared as the database holds them (JSON as text, byte for byte)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.review_build import ReviewBuild, build_review
from store.tables import Review
from store.tables import ReviewItem as ReviewItemRow

Sessions = async_sessionmaker[AsyncSession]


async def nothing(_session: AsyncSession, _review: Review) -> None:
    """An ``on_publish`` that records nothing (the activities record the generation)."""


async def item_texts(sessions: Sessions, review_id: str) -> list[tuple[Any, ...]]:
    """The review's stored items as text (reasons and fields as written), by reference."""
    async with sessions() as session:
        rows = await session.execute(
            select(
                ReviewItemRow.reference,
                ReviewItemRow.classification,
                cast(ReviewItemRow.reasons, Text),
                cast(ReviewItemRow.fields, Text),
                ReviewItemRow.case_id,
            )
            .where(ReviewItemRow.review_id == review_id)
            .order_by(ReviewItemRow.reference)
        )
        return [tuple(row) for row in rows]


async def same_when_partitioned(
    sessions: Sessions, single_id: str, build: ReviewBuild, parts: int = 2
) -> Review:
    """Build ``build`` (the review ``single_id`` again, under another ID) on ``parts``
    connections (one on SQLite) and check its items are byte for byte those of ``single_id``,
    and its summary the same."""
    review = await build_review(sessions, build, parts, nothing)
    assert await item_texts(sessions, build.review_id) == await item_texts(sessions, single_id)
    async with sessions() as session:
        single = await session.get(Review, single_id)
    assert single is not None and review.status == single.status == "generated"
    assert review.summary == single.summary
    return review
