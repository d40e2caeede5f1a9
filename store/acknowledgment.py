"""Example 1 reviews: set-based reconciliation over the stored feeds, storage, review marking.

Step 2 and 3 values live in ``store.acknowledgment_values`` and are re-exported here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import Table, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acknowledgment import (
    EXPOSED,
    AckPolicy,
    AckReviewResult,
    Exposure,
)
from domain.instants import instant
from domain.names import EXAMPLE_ACKNOWLEDGMENT, OBLIGATION_MARK_REVIEWED
from store.acknowledgment_review import PLANNER, review_items_statement, review_parameters
from store.acknowledgment_values import attribution_values, retention_values
from store.breaches import resolve_breaches
from store.item_fields import item_text
from store.review_build import ReviewBuild, fill_review
from store.tables import Review
from store.tables import ReviewItem as ReviewItemRow

__all__ = [
    "ReviewItemView",
    "ReviewNotFound",
    "ReviewView",
    "attribution_values",
    "generate_review",
    "load_review",
    "mark_review_reviewed",
    "record_sign_off",
    "retention_values",
]

_ITEMS = cast(Table, ReviewItemRow.__table__)


class ReviewNotFound(LookupError):
    """No review with that ID."""


class ReviewItemView(BaseModel):
    reference: str
    classification: str | None  # any example's classification; None for an exception
    reasons: list[str]
    fields: dict[str, Any]
    case_id: str | None


class ReviewView(BaseModel):
    """A stored review (any example) with one page of its items, as the API shows it."""

    review_id: str
    example: str
    period: str
    as_of: datetime
    generated_at: datetime
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    summary: dict[str, Any]
    total: int
    items: list[ReviewItemView]


def _summary(tally: Counter[Exposure | None], policy: AckPolicy) -> dict[str, Any]:
    return {
        "total": sum(tally.values()),
        "counts": {exposure.value: tally.get(exposure, 0) for exposure in Exposure},
        "exceptions": tally.get(None, 0),
        # The policy is pinned with the review: later documents show what classified the report.
        "policy": policy.model_dump(),
    }


def stored_result(review: Review) -> AckReviewResult:
    """The review's result as its generation returned it (from its stored summary)."""
    counts = dict(review.summary["counts"])
    return AckReviewResult(
        review_id=review.review_id,
        as_of=review.as_of,
        generated_at=review.generated_at,
        counts=counts,
        exposed=sum(counts.get(e.value, 0) for e in EXPOSED),
        exceptions=int(review.summary["exceptions"]),
    )


async def generate_review(
    session: AsyncSession,
    review_id: str,
    review_date: date,
    as_of: datetime,
    policy: AckPolicy,
    *,
    generated_at: datetime | None = None,
) -> AckReviewResult:
    """Reconcile, classify and store the review; idempotent: an existing review is returned as is.

    The caller commits. ``generated_at`` defaults to ``as_of`` (activities pass their instant).
    """
    existing = await session.get(Review, review_id)
    if existing is not None:
        return stored_result(existing)
    build = review_build(review_id, review_date, as_of, policy, generated_at)
    return stored_result(await fill_review(session, build))


def review_build(
    review_id: str,
    review_date: date,
    as_of: datetime,
    policy: AckPolicy,
    generated_at: datetime | None = None,
) -> ReviewBuild:
    """What the review is built from (``store.review_build``): its statement, pinned policy and
    summary (counts by exposure, exceptions, the policy)."""
    as_of_utc = instant(as_of)
    assert as_of_utc is not None

    async def summarize(_session: AsyncSession, counts: dict[str | None, int]) -> dict[str, Any]:
        tally: Counter[Exposure | None] = Counter(
            {Exposure(c) if c is not None else None: n for c, n in counts.items()}
        )
        return _summary(tally, policy)

    return ReviewBuild(
        review_id=review_id,
        example=EXAMPLE_ACKNOWLEDGMENT,
        period=review_date.isoformat(),
        as_of=as_of_utc,
        generated_at=generated_at or as_of_utc,
        statement=review_items_statement,
        parameters=review_parameters(review_id, as_of_utc, policy),
        summarize=summarize,
        planner=PLANNER,
    )


async def load_review(
    session: AsyncSession,
    review_id: str,
    *,
    classification: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    service_line: str | None = None,
    first: Sequence[str] = (),
) -> ReviewView | None:
    """The review with its items ordered by reference (``classification="exception"`` for the
    unreconciled ones; only ``service_line``'s when given; a page when ``limit`` is given; the
    classifications in ``first`` before the rest, in that order), or None when it does not
    exist."""
    review = await session.get(Review, review_id)
    if review is None:
        return None
    where = [ReviewItemRow.review_id == review_id]
    if classification == "exception":
        where.append(ReviewItemRow.classification.is_(None))
    elif classification is not None:
        where.append(ReviewItemRow.classification == classification)
    if service_line is not None:
        where.append(item_text(ReviewItemRow, "service_line") == service_line)
    total = await session.scalar(select(func.count()).select_from(ReviewItemRow).where(*where))
    order: list[Any] = [ReviewItemRow.reference]
    if first:
        ranks = {c: n for n, c in enumerate(first)}
        rank = sql_case(ranks, value=ReviewItemRow.classification, else_=len(first))
        order[:0] = [rank, ReviewItemRow.classification.is_(None)]  # exceptions after the rest
    query = select(ReviewItemRow).where(*where).order_by(*order).offset(offset)
    if first and limit is not None:
        # the page's references sorted alone (a sort of keys, not of every item's document),
        # then those items read by their primary key
        page = select(ReviewItemRow.reference).where(*where).order_by(*order)
        chosen = page.offset(offset).limit(limit).scalar_subquery()
        query = select(ReviewItemRow).where(
            ReviewItemRow.review_id == review_id, ReviewItemRow.reference.in_(chosen)
        )
        query = query.order_by(*order)
    rows = await session.scalars(query.limit(limit) if limit is not None else query)
    return ReviewView(
        review_id=review.review_id,
        example=review.example,
        period=review.period,
        as_of=review.as_of,
        generated_at=review.generated_at,
        status=review.status,
        reviewed_by=review.reviewed_by,
        reviewed_at=review.reviewed_at,
        summary=review.summary,
        total=int(total or 0),
        items=[
            ReviewItemView(
                reference=row.reference,
                classification=row.classification,
                reasons=row.reasons,
                fields=row.fields,
                case_id=row.case_id,
            )
            for row in rows
        ],
    )


async def record_sign_off(
    session: AsyncSession, review_id: str, due_at: datetime, back_run: bool
) -> None:
    """Store the review's sign-off deadline and whether it is a back-run (idempotent)."""
    review = await session.get(Review, review_id, with_for_update=True)
    if review is None:
        raise ReviewNotFound(review_id)
    review.sign_off_due_at = due_at
    review.back_run = back_run
    await session.flush()


async def mark_review_reviewed(
    session: AsyncSession, review_id: str, actor: str, at: datetime
) -> bool:
    """Mark the review reviewed; True if this call did, False if it already was (first kept)."""
    review = await session.get(Review, review_id, with_for_update=True)
    if review is None:
        raise ReviewNotFound(review_id)
    # The review's missed "mark reviewed" deadline is met now: its breaches stop being open.
    await resolve_breaches(session, review_id, [OBLIGATION_MARK_REVIEWED], at)
    if review.status == "reviewed":
        return False
    review.status = "reviewed"
    review.reviewed_by = actor
    review.reviewed_at = at
    await session.flush()
    return True
