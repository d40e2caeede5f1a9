"""Example 2 audits: set-based reconciliation of the four feeds over one 14-day cycle.

Step 2-4 values live in ``store.learning_values``. Marking reviewed and linking cases reuse the
generic review functions of ``store.acknowledgment``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, and_, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.instants import instant
from domain.learning import (
    ACTION_TRACKER,
    BULLETIN_LOG,
    EXPOSED,
    PLATFORM,
    RECURRENCE_FILE,
    AuditItem,
    LearningPolicy,
    LearningVisibility,
    audit_item,
)
from domain.names import EXAMPLE_LEARNING
from store.registers import append_entry
from store.tables import RegisterEntry, Review, SourceRecord
from store.tables import ReviewItem as ReviewItemRow

_INSERT_CHUNK = 2_000


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


def _scoped(entity: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(entity.feed == PLATFORM, between_prefilter(entity, "closed_at", start, end))


async def _load(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[list[dict[str, Any]], dict[str, dict[str, dict[str, Any]]], list[dict[str, Any]]]:
    """Closed reports of the window, their bulletin/recurrence rows, and candidate actions."""
    contents = (
        await session.scalars(select(SourceRecord.content).where(_scoped(SourceRecord, start, end)))
    ).all()
    reports = [c for c in contents if within(c.get("closed_at"), start, end)]
    scoped = aliased(SourceRecord)
    rows = await session.execute(
        select(SourceRecord.feed, SourceRecord.key, SourceRecord.content)
        .join(scoped, scoped.key == SourceRecord.key)
        .where(SourceRecord.feed.in_((BULLETIN_LOG, RECURRENCE_FILE)), _scoped(scoped, start, end))
    )
    by_feed: dict[str, dict[str, dict[str, Any]]] = {BULLETIN_LOG: {}, RECURRENCE_FILE: {}}
    for feed, key, content in rows:
        by_feed[feed][key] = content
    actions: list[dict[str, Any]] = []
    # Every action naming a scoped report, plus each report's own ref (which may name another).
    for on in (
        SourceRecord.content["reference"].as_string() == scoped.key,
        SourceRecord.key == scoped.content["corrective_action_ref"].as_string(),
    ):
        found = await session.scalars(
            select(SourceRecord.content)
            .join(scoped, on)
            .where(SourceRecord.feed == ACTION_TRACKER, _scoped(scoped, start, end))
        )
        actions += list(found)
    return reports, by_feed, actions


def _items(
    reports: list[dict[str, Any]],
    feeds: dict[str, dict[str, dict[str, Any]]],
    actions: list[dict[str, Any]],
    as_of: datetime,
    policy: LearningPolicy,
) -> list[AuditItem]:
    by_ref = {a["corrective_action_ref"]: a for a in actions}
    of_report: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for action in by_ref.values():
        of_report[action["reference"]].append(action)
    items = []
    for report in reports:
        ref = report["reference"]
        own = by_ref.get(report.get("corrective_action_ref") or "")
        # (e) counts the report's own action even when it names another report (an exception).
        mine = of_report[ref] + ([own] if own is not None and own["reference"] != ref else [])
        items.append(
            audit_item(
                report,
                feeds[BULLETIN_LOG].get(ref),
                feeds[RECURRENCE_FILE].get(ref),
                own,
                mine,
                as_of,
                policy,
            )
        )
    items.sort(key=lambda item: item.reference)
    return items


def _summary(
    items: list[AuditItem], policy: LearningPolicy, cycle_start: date, window: tuple[datetime, ...]
) -> dict[str, Any]:
    tally = Counter(item.classification for item in items)
    return {
        "total": len(items),
        "counts": {v.value: tally.get(v, 0) for v in LearningVisibility},
        "exceptions": tally.get(None, 0),
        "cycle_start": cycle_start.isoformat(),
        "cycle_end": (cycle_start + timedelta(days=policy.cycle_days)).isoformat(),
        "window": [w.isoformat() for w in window],
        # Pinned with the audit: later documents and baselines show the rules that classified.
        "policy": policy.model_dump(mode="json"),
    }


async def _stored(session: AsyncSession, review: Review) -> LearningAuditResult:
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
        return await _stored(session, existing)
    reports, feeds, actions = await _load(session, *window)
    items = _items(reports, feeds, actions, as_of, policy)
    summary = _summary(items, policy, cycle_start, window)
    session.add(
        Review(
            review_id=review_id,
            example=EXAMPLE_LEARNING,
            period=cycle_start.isoformat(),
            as_of=as_of,
            generated_at=generated_at or as_of,
            status="generated",
            summary=summary,
        )
    )
    await session.flush()
    await _insert_items(session, review_id, items)
    return LearningAuditResult(
        review_id=review_id,
        as_of=as_of,
        generated_at=generated_at or as_of,
        counts=summary["counts"],
        exceptions=summary["exceptions"],
        exposed=[i.reference for i in items if i.classification in EXPOSED],
    )


async def _insert_items(session: AsyncSession, review_id: str, items: list[AuditItem]) -> None:
    table = ReviewItemRow.__table__
    assert isinstance(table, Table)
    rows = [
        {
            "review_id": review_id,
            "reference": item.reference,
            "classification": item.classification.value if item.classification else None,
            "reasons": item.reasons,
            "fields": item.fields,
            "case_id": None,
        }
        for item in items
    ]
    for start in range(0, len(rows), _INSERT_CHUNK):
        await session.execute(insert(table), rows[start : start + _INSERT_CHUNK])


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
