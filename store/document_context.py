"""What a prerequisite document is built for (a case of a review), and the builder signature
every example's document module registers under its slugs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.instants import iso
from store.tables import Review, ReviewItem, SourceRecordVersion


class UnknownDocument(KeyError):
    """No document with that slug."""


@dataclass(frozen=True)
class DocumentContext:
    reference: str
    review_id: str
    case_id: str


Builder = Callable[[AsyncSession, DocumentContext], Awaitable[dict[str, Any]]]


async def review_and_item(
    session: AsyncSession, review_id: str, key: str
) -> tuple[Review | None, ReviewItem | None]:
    """A review and its item for KEY (the item's reference: a report's, or a closure's case_ref)."""
    review = await session.get(Review, review_id)
    return review, await session.get(ReviewItem, (review_id, key))


def review_view(review: Review | None, period_key: str) -> dict[str, Any] | None:
    """A review's summary as its example's review document shows it (the period under the
    example's word for it: period, cycle_start, month)."""
    if review is None:
        return None
    return {
        "review_id": review.review_id,
        period_key: review.period,
        "as_of": iso(review.as_of),
        "status": review.status,
        "reviewed_by": review.reviewed_by,
        "reviewed_at": iso(review.reviewed_at),
        "summary": review.summary,
    }


def item_view(
    item: ReviewItem | None, reference_key: str = "reference", *, with_case: bool = True
) -> dict[str, Any] | None:
    """A review item as the review document shows it."""
    if item is None:
        return None
    view = {
        reference_key: item.reference,
        "classification": item.classification,
        "reasons": item.reasons,
        "fields": item.fields,
    }
    return view | {"case_id": item.case_id} if with_case else view


def received_entry(row: SourceRecordVersion) -> dict[str, Any]:
    """A received record version as a chronology entry (its ``id`` citable as evidence)."""
    return {
        "id": f"{row.feed}:{row.key}:v{row.version}",
        "at": iso(row.received_at),
        "source": row.feed,
        "kind": "record_received",
        "version": row.version,
        "content": row.content,
    }
