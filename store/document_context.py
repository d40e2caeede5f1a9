"""What a prerequisite document is built for (a case of a review), and the builder signature
every example's document module registers under its slugs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.instants import instant, iso
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


# The dates a record says its events happened at, by feed (SOURCES.md): a chronology places a
# record version at the latest of them it carries (when it was submitted, acknowledged, triaged,
# updated, completed, fed back, analysed), the time the service received it beside. The walk of
# 7 December saw a report submitted on 2 December dated "Mon 7 Dec, 23:17 — record received"
# (the demo loads every record at once). A due date is a promise, not an event: never one.
# Example 3's chronology places its records the same way (store.credibility_documents).
OWN_DATES: dict[str, tuple[str, ...]] = {
    "incident-platform": ("submitted_at", "first_acknowledged_at", "triage_completed_at",
                          "closed_at"),
    "workforce-reporting-log": ("submitted_at", "first_acknowledged_at"),
    "manager-response-tracker": ("updated_at",),
    "corrective-action-tracker": ("completed_at",),
    "learning-bulletin-log": ("feedback_to_reporter_at", "bulletin_issued_at"),
    "recurrence-analysis-file": ("analysed_at",),
}  # fmt: skip


def own_date(feed: str, content: dict[str, Any], received: datetime) -> tuple[datetime, str | None]:
    """When the record version's latest event happened by its own dates (OWN_DATES), never after
    it was received, and the field that says so; its received time (and None) when it has none
    (or none readable)."""
    found: list[tuple[datetime, str]] = []
    for name in OWN_DATES.get(feed, ()):
        value = content.get(name)
        try:
            moment = instant(value) if isinstance(value, str) else None
        except ValueError:
            continue
        if moment is not None and moment <= received:
            found.append((moment, name))
    if not found:
        return received, None
    return max(found, key=lambda pair: pair[0])


def received_entry(row: SourceRecordVersion) -> dict[str, Any]:
    """A received record version as a chronology entry (its ``id`` citable as evidence), at its
    own date (``own_date``) with the time the service received it beside."""
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
