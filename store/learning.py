"""Example 2 audits: set-based reconciliation of the four feeds over one 14-day cycle.

Reconciliation and classification are one statement in the database
(``store.learning_audit``). Step 2-4 values live in ``store.learning_values``. Marking reviewed
and linking cases reuse the generic review functions of ``store.acknowledgment``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.instants import instant
from domain.learning import (
    EXPOSED,
    LearningPolicy,
    LearningVisibility,
)
from domain.names import EXAMPLE_LEARNING
from store.learning_audit import PLANNER, audit_items_statement, audit_parameters
from store.registers import append_entry
from store.review_build import ReviewBuild, fill_review
from store.tables import RegisterEntry, Review
from store.tables import ReviewItem as ReviewItemRow


class LearningAuditResult(BaseModel):
    """A stored audit: counts by classification, exceptions, exposed references."""

    review_id: str
    as_of: datetime
    generated_at: datetime
    counts: dict[str, int]
    exceptions: int
    exposed: list[str]


def between_prefilter(
    entity: Any, field: str, start: datetime, end: datetime
) -> ColumnElement[bool]:
    """SQL superset of ``field`` in [start, end) on ISO text (a day's margin for offsets)."""
    text = entity.content[field].as_string()
    return and_(
        text >= (start - timedelta(days=1)).date().isoformat(),
        text < (end + timedelta(days=2)).date().isoformat(),
    )


def within(value: Any, start: datetime, end: datetime | None) -> bool:
    """Exact test on UTC instants: ``value`` in [start, end) (no end: open-ended)."""
    moment = instant(value)
    return moment is not None and start <= moment and (end is None or moment < end)


def _summary(
    tally: dict[str | None, int],
    policy: LearningPolicy,
    cycle_start: date,
    window: tuple[datetime, ...],
) -> dict[str, Any]:
    return {
        "total": sum(tally.values()),
        "counts": {v.value: tally.get(v.value, 0) for v in LearningVisibility},
        "exceptions": tally.get(None, 0),
        "cycle_start": cycle_start.isoformat(),
        "cycle_end": (cycle_start + timedelta(days=policy.cycle_days)).isoformat(),
        "window": [w.isoformat() for w in window],
        # Pinned with the audit: later documents and baselines show the rules that classified.
        "policy": policy.model_dump(mode="json"),
    }


async def stored_audit(session: AsyncSession, review: Review) -> LearningAuditResult:
    """The audit's result as its generation returned it (summary and exposed references)."""
    refs = await session.scalars(
        select(ReviewItemRow.reference)
        .where(
            ReviewItemRow.review_id == review.review_id,
            ReviewItemRow.classification.in_([v.value for v in EXPOSED]),
        )
        .order_by(ReviewItemRow.reference)
    )
    return LearningAuditResult(
        review_id=review.review_id,
        as_of=review.as_of,
        generated_at=review.generated_at,
        counts=dict(review.summary["counts"]),
        exceptions=int(review.summary["exceptions"]),
        exposed=list(refs),
    )


async def generate_audit(
    session: AsyncSession,
    review_id: str,
    cycle_start: date,
    window: tuple[datetime, datetime],
    as_of: datetime,
    policy: LearningPolicy,
    generated_at: datetime | None = None,
) -> LearningAuditResult:
    """Reconcile, classify and store the cycle's audit; an existing audit is returned as is.

    ``window`` is the cycle as UTC instants [start, end). The caller commits.
    """
    existing = await session.get(Review, review_id)
    if existing is not None:
        return await stored_audit(session, existing)
    build = audit_build(review_id, cycle_start, window, as_of, policy, generated_at)
    return await stored_audit(session, await fill_review(session, build))


def audit_build(
    review_id: str,
    cycle_start: date,
    window: tuple[datetime, datetime],
    as_of: datetime,
    policy: LearningPolicy,
    generated_at: datetime | None = None,
) -> ReviewBuild:
    """What the audit is built from (``store.review_build``): statement, policy, summary."""

    async def summarize(_session: AsyncSession, counts: dict[str | None, int]) -> dict[str, Any]:
        return _summary(counts, policy, cycle_start, window)

    return ReviewBuild(
        review_id=review_id,
        example=EXAMPLE_LEARNING,
        period=cycle_start.isoformat(),
        as_of=as_of,
        generated_at=generated_at or as_of,
        statement=audit_items_statement,
        parameters=audit_parameters(review_id, window, as_of, policy),
        summarize=summarize,
        planner=PLANNER,
    )


async def exposed_items(session: AsyncSession, review_id: str) -> list[ReviewItemRow]:
    """The audit's emerging and critical items (ordered by reference)."""
    rows = await session.scalars(
        select(ReviewItemRow)
        .where(
            ReviewItemRow.review_id == review_id,
            ReviewItemRow.classification.in_([v.value for v in EXPOSED]),
        )
        .order_by(ReviewItemRow.reference)
    )
    return list(rows)


async def record_once(
    session: AsyncSession,
    register: str,
    subject: str,
    kind: str,
    actor: str,
    at: datetime,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """Append an entry unless one of that kind exists for the subject; the stored payload."""
    existing = await session.scalar(
        select(RegisterEntry.payload).where(
            RegisterEntry.register == register,
            RegisterEntry.subject == subject,
            RegisterEntry.kind == kind,
        )
    )
    if existing is not None:
        return dict(existing)
    entry = await append_entry(
        session, register, actor=actor, recorded_at=at, subject=subject, kind=kind, payload=payload
    )
    return dict(entry.payload)
