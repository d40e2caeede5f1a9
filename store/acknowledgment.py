"""Example 1 reviews: set-based reconciliation over the stored feeds, storage, review marking.

Step 2 and 3 values live in ``store.acknowledgment_values`` and are re-exported here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any, cast

import orjson
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, and_, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.acknowledgment import (
    EXPOSED,
    GOVERNANCE_REGISTER,
    PLATFORM,
    REPORTING_LOG,
    RESPONSE_TRACKER,
    AckPolicy,
    AckReviewResult,
    Exposure,
    ReviewItem,
    instant,
    review_item,
)
from domain.collector import gc_paused
from domain.names import EXAMPLE_ACKNOWLEDGMENT, OBLIGATION_MARK_REVIEWED
from store.acknowledgment_values import attribution_values, retention_values
from store.cases import resolve_breaches
from store.tables import Review, SourceRecord
from store.tables import ReviewItem as ReviewItemRow

__all__ = [
    "ReviewItemView",
    "ReviewNotFound",
    "ReviewView",
    "attribution_values",
    "generate_review",
    "load_review",
    "mark_review_reviewed",
    "retention_values",
    "set_review_case_ids",
]

_INSERT_CHUNK = 2_000
_CHUNK = 20_000  # reports classified and stored at a time (bounds memory at any review size)
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


def _scope_prefilter(entity: Any, as_of: datetime, policy: AckPolicy) -> ColumnElement[bool]:
    """A superset of the scope in SQL, so out-of-scope JSON never leaves the database.

    Contents hold ``submitted_at`` as ISO 8601 text (validated by the feed models): its local date
    prefix sorts like the instant within a day of offset, so a day's margin each side is safe and
    the exact UTC comparison runs in Python.
    """
    start = as_of - timedelta(days=policy.scope_days)
    submitted = entity.content["submitted_at"].as_string()
    return and_(
        entity.feed == PLATFORM,
        submitted >= (start - timedelta(days=1)).date().isoformat(),
        submitted < (as_of + timedelta(days=2)).date().isoformat(),
        entity.content["triage_status"].as_string() != "closed",
    )


def in_scope(content: dict[str, Any], as_of: datetime, policy: AckPolicy) -> bool:
    """Exact scope: submitted in [as_of - scope_days, as_of) and not closed."""
    submitted = instant(content.get("submitted_at"))
    if submitted is None or content.get("triage_status") == "closed":
        return False
    return as_of - timedelta(days=policy.scope_days) <= submitted < as_of


Joined = tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]


async def _feed_chunks(
    session: AsyncSession, as_of: datetime, policy: AckPolicy
) -> AsyncIterator[list[Joined]]:
    """In-scope platform rows with their log, tracker and register rows (None when missing),
    a chunk at a time through a server-side cursor, so memory stays bounded at any size.

    One query, one scan: the scope filter parses each platform row's JSON once, and the three
    other feeds come by primary-key joins (a second scan cost as much as the whole first one).
    """
    log, tracker, register = (aliased(SourceRecord) for _ in range(3))
    statement = select(SourceRecord.content, log.content, tracker.content, register.content)
    statement = statement.select_from(SourceRecord)
    for alias, feed in (
        (log, REPORTING_LOG),
        (tracker, RESPONSE_TRACKER),
        (register, GOVERNANCE_REGISTER),
    ):
        statement = statement.outerjoin(
            alias, and_(alias.feed == feed, alias.key == SourceRecord.key)
        )
    result = await session.stream(statement.where(_scope_prefilter(SourceRecord, as_of, policy)))
    async for rows in result.partitions(_CHUNK):
        yield [cast(Joined, tuple(row)) for row in rows if in_scope(row[0], as_of, policy)]


def _summary(tally: Counter[Exposure | None], policy: AckPolicy) -> dict[str, Any]:
    return {
        "total": sum(tally.values()),
        "counts": {exposure.value: tally.get(exposure, 0) for exposure in Exposure},
        "exceptions": tally.get(None, 0),
        # The policy is pinned with the review: later documents show what classified the report.
        "policy": policy.model_dump(),
    }


def _stored_result(review: Review) -> AckReviewResult:
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
        return _stored_result(existing)
    as_of_utc = instant(as_of)
    assert as_of_utc is not None
    review = Review(
        review_id=review_id,
        example=EXAMPLE_ACKNOWLEDGMENT,
        period=review_date.isoformat(),
        as_of=as_of_utc,
        generated_at=generated_at or as_of_utc,
        status="generated",
        summary={},
    )
    session.add(review)
    await session.flush()  # the items refer to it; its summary is set once they are all in
    tally: Counter[Exposure | None] = Counter()
    async for chunk in _feed_chunks(session, as_of_utc, policy):
        with gc_paused():  # a chunk allocates ~100k acyclic objects; no await inside
            items = [
                review_item(platform, log, tracker, register, as_of_utc, policy)
                for platform, log, tracker, register in chunk
            ]
        tally.update(item.classification for item in items)
        await _insert_items(session, review_id, items)
    summary = _summary(tally, policy)
    review.summary = summary
    await session.flush()
    return AckReviewResult(
        review_id=review_id,
        as_of=as_of_utc,
        generated_at=review.generated_at,
        counts=summary["counts"],
        exposed=sum(summary["counts"][e.value] for e in EXPOSED),
        exceptions=summary["exceptions"],
    )


def _json_text(value: Any) -> str:
    """JSON text for a COPY into a JSON column (orjson: ~5x faster than ``json.dumps``)."""
    return orjson.dumps(value).decode()


def _value(item: ReviewItem) -> str | None:
    return item.classification.value if item.classification else None


async def _insert_items(session: AsyncSession, review_id: str, items: list[ReviewItem]) -> None:
    """Insert the items: COPY on PostgreSQL (~5x faster than executemany at 100k), else batches."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        dumps = _json_text
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            _ITEMS.name,
            columns=("review_id", "reference", "classification", "reasons", "fields", "case_id"),
            records=[
                (
                    review_id,
                    item.reference,
                    _value(item),
                    dumps(item.reasons),
                    dumps(item.fields),
                    None,
                )
                for item in items
            ],
        )
        return
    rows = [
        {
            "review_id": review_id,
            "reference": item.reference,
            "classification": _value(item),
            "reasons": item.reasons,
            "fields": item.fields,
            "case_id": None,
        }
        for item in items
    ]
    for start in range(0, len(rows), _INSERT_CHUNK):
        await session.execute(insert(_ITEMS), rows[start : start + _INSERT_CHUNK])


async def load_review(
    session: AsyncSession,
    review_id: str,
    *,
    classification: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    service_line: str | None = None,
) -> ReviewView | None:
    """The review with its items ordered by reference (``classification="exception"`` for the
    unreconciled ones; only ``service_line``'s when given; a page when ``limit`` is given), or
    None when it does not exist."""
    review = await session.get(Review, review_id)
    if review is None:
        return None
    where = [ReviewItemRow.review_id == review_id]
    if classification == "exception":
        where.append(ReviewItemRow.classification.is_(None))
    elif classification is not None:
        where.append(ReviewItemRow.classification == classification)
    if service_line is not None:
        where.append(ReviewItemRow.fields["service_line"].as_string() == service_line)
    total = await session.scalar(select(func.count()).select_from(ReviewItemRow).where(*where))
    query = select(ReviewItemRow).where(*where).order_by(ReviewItemRow.reference).offset(offset)
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


async def mark_review_reviewed(
    session: AsyncSession, review_id: str, actor: str, at: datetime
) -> bool:
    """Mark the review reviewed; True if this call did, False if it already was (first kept)."""
    review = await session.get(Review, review_id, with_for_update=True)
    if review is None:
        raise ReviewNotFound(review_id)
    # The review's missed "mark reviewed" deadline is met now: its breaches stop being open.
    await resolve_breaches(session, review_id, OBLIGATION_MARK_REVIEWED, at)
    if review.status == "reviewed":
        return False
    review.status = "reviewed"
    review.reviewed_by = actor
    review.reviewed_at = at
    await session.flush()
    return True
