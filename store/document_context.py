"""What a prerequisite document is built for (a case of a review), and the builder signature
every example's document module registers under its slugs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.feed_events import own_date
from domain.instants import instant, iso
from store.tables import CaseEvent, Review, ReviewItem, SourceRecordVersion


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
    """A received record version as a chronology entry (its ``id`` citable as evidence), at its
    own date (``domain.feed_events.own_date``, the one rule of every chronology) with the time
    the service received it beside."""
    received = instant(row.received_at)
    assert received is not None
    at, dated_by = own_date(row.feed, row.content, received)
    return {
        "id": f"{row.feed}:{row.key}:v{row.version}",
        "at": iso(at),
        "dated_by": dated_by,  # the record's field its time is (None: when it was received)
        "received_at": iso(row.received_at),
        "source": row.feed,
        "kind": "record_received",
        "version": row.version,
        "content": row.content,
    }


async def event_entries(session: AsyncSession, *case_ids: str) -> list[dict[str, Any]]:
    """The cases' events as chronology entries (``event:N``, citable as evidence), from "case"
    (or, for more than one case, from which)."""
    rows = await session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_(case_ids))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    return [
        {
            "id": f"event:{e.id}",
            "at": iso(e.at),
            "source": e.case_id if len(case_ids) > 1 else "case",
            "kind": e.kind,
            "actor": e.actor,
            "detail": e.detail,
        }
        for e in rows
    ]


def in_time_order(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A chronology's entries by when each happened, a record before a case event at the same
    instant (what the feeds said, then what the service did about it), stable otherwise."""

    def when(entry: dict[str, Any]) -> tuple[datetime, bool]:
        at = instant(entry["at"])
        assert at is not None
        return at, entry["kind"] != "record_received"

    return sorted(entries, key=when)
