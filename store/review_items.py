"""A review's items as every example's "open cases" activity reads and links them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import ReviewItem as ReviewItemRow

_ITEMS = cast(Table, ReviewItemRow.__table__)


async def items_classified(
    session: AsyncSession, review_id: str, classifications: Iterable[str]
) -> list[ReviewItemRow]:
    """The review's items with one of CLASSIFICATIONS (ordered by reference)."""
    rows = await session.scalars(
        select(ReviewItemRow)
        .where(
            ReviewItemRow.review_id == review_id,
            ReviewItemRow.classification.in_(list(classifications)),
        )
        .order_by(ReviewItemRow.reference)
    )
    return list(rows)


async def set_review_case_ids(
    session: AsyncSession, review_id: str, mapping: dict[str, str]
) -> None:
    """Link review items to their cases (reference -> case ID); idempotent, unknown refs ignored."""
    if not mapping:
        return
    table = _ITEMS
    statement = (
        update(table)
        .where(table.c.review_id == bindparam("b_review"), table.c.reference == bindparam("b_ref"))
        .values(case_id=bindparam("b_case"))
    )
    await session.execute(
        statement,
        [{"b_review": review_id, "b_ref": ref, "b_case": case} for ref, case in mapping.items()],
    )
