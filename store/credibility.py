"""Example 3 reviews: the month's closures (the service's own and the register), classified.

Set-based: one query per source (own closed cases, their closure entries, the register's rows in
the month, each satellite feed by key); classification runs in Python on the loaded rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.credibility import (
    CLOSED_REGISTER,
    CONFIRMATIONS,
    EVIDENCE,
    REOPENED,
    Credibility,
    CredibilityPolicy,
    classify,
    month_bounds,
    reconciliation_reasons,
)
from domain.instants import instant, iso
from domain.names import EXAMPLE_CREDIBILITY
from store.sources import current_records
from store.tables import Case, OutboxMessage, RegisterEntry, Review, SourceRecord
from store.tables import ReviewItem as ReviewItemRow

GOVERNANCE_REGISTER = "service-line-governance-register"
_INSERT_CHUNK = 2_000
_ITEMS = cast(Table, ReviewItemRow.__table__)
# Every indicator of examples 1 and 2, mapped to the closure flags of example 3 (SOURCES.md
# closed-case-register ``flags``). An incomplete or overdue corrective action and unshared
# learning are learning made invisible; an unsafe condition left while triage was pending is weak
# triage.
INDICATOR_FLAGS = {
    "ack_over_threshold": "delayed_acknowledgment",
    "triage_over_threshold": "weak_triage",
    "no_named_triage_owner": "weak_triage",
    "manager_not_reviewed": "weak_triage",
    "unsafe_condition_while_triage_incomplete": "weak_triage",
    "corrective_action_incomplete_at_closure": "absent_learning_feedback",
    "no_feedback_to_reporter": "absent_learning_feedback",
    "no_shared_learning_despite_wider_relevance": "absent_learning_feedback",
    "corrective_action_overdue": "absent_learning_feedback",
    "recurrence_within_30_days": "repeated_recurrence",
}


def _flags_from_indicators(indicators: list[str] | None) -> list[str]:
    """Closure flags of a case the service closed, from its review's indicators."""
    return sorted({INDICATOR_FLAGS[name] for name in indicators or [] if name in INDICATOR_FLAGS})


async def own_closures(
    session: AsyncSession, start: datetime, end: datetime
) -> dict[str, dict[str, Any]]:
    """Cases the service closed (examples 1 and 2) in [start, end), as register-shaped rows."""
    cases = (
        await session.scalars(
            select(Case).where(
                Case.status == "closed",
                Case.closed_at >= start,
                Case.closed_at < end,
                Case.example != EXAMPLE_CREDIBILITY,
            )
        )
    ).all()
    if not cases:
        return {}
    ids = [c.case_id for c in cases]
    closing = {
        e.subject: e
        for e in await session.scalars(
            select(RegisterEntry).where(
                RegisterEntry.subject.in_(ids), RegisterEntry.kind == "case_closed"
            )
        )
    }
    items = {
        (i.review_id, i.reference): i
        for i in await session.scalars(select(ReviewItemRow).where(ReviewItemRow.case_id.in_(ids)))
    }
    mails = {
        m.dedupe_key: m
        for m in await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.dedupe_key.in_([f"confirmation:{i}" for i in ids])
            )
        )
    }
    lines = await current_records(session, GOVERNANCE_REGISTER, [c.reference for c in cases])
    rows = {}
    for case in cases:
        entry = closing.get(case.case_id)
        payload = entry.payload if entry else {}
        item = items.get((case.review_id, case.reference))
        mail = mails.get(f"confirmation:{case.case_id}")
        rows[case.case_id] = {
            "case_ref": case.case_id,
            "reference": case.reference,
            "employee_id": case.employee_id,
            "service_line": case.service_line,
            "manager_line": lines.get(case.reference, {}).get("manager_line"),
            "closed_at": iso(case.closed_at),
            "closure_category": payload.get("closure_category"),
            "final_reviewing_role": payload.get("final_reviewing_role"),
            "last_employee_communication_at": iso(
                (mail.sent_at or mail.created_at) if mail else None
            ),
            "flags": _flags_from_indicators(item.fields.get("indicators") if item else None),
            "source": "service",
            "origin_example": case.example,
            "closure_entry_at": iso(entry.recorded_at) if entry else None,
        }
    return rows


async def register_closures(
    session: AsyncSession, start: datetime, end: datetime
) -> dict[str, dict[str, Any]]:
    """``closed-case-register`` rows closed in [start, end) (a date prefilter runs in SQL)."""
    closed = SourceRecord.content["closed_at"].as_string()
    rows = (
        await session.scalars(
            select(SourceRecord.content).where(
                SourceRecord.feed == CLOSED_REGISTER,
                closed >= (start - timedelta(days=1)).date().isoformat(),
                closed < (end + timedelta(days=2)).date().isoformat(),
            )
        )
    ).all()
    found = {}
    for content in rows:
        at = instant(content["closed_at"])
        if at is not None and start <= at < end:
            found[content["case_ref"]] = {
                **content,
                "source": CLOSED_REGISTER,
                "origin_example": None,
            }
    return found


def closure_item(
    closure: dict[str, Any],
    satellites: dict[str, dict[str, dict[str, Any]]],
    zone: str,
    policy: CredibilityPolicy,
) -> dict[str, Any]:
    """One review item row: classification (None for an exception), reasons and fields."""
    ref = closure["case_ref"]
    confirmation = satellites[CONFIRMATIONS].get(ref)
    reopened = satellites[REOPENED].get(ref)
    evidence = satellites[EVIDENCE].get(ref)
    reasons = reconciliation_reasons(closure, confirmation, reopened)
    if closure["source"] == "service" and closure.get("closure_entry_at") is None:
        reasons.append("no closure entry in the service's registers")
    closed_at = instant(closure["closed_at"])
    assert closed_at is not None
    result = classify(closed_at, confirmation, reopened, evidence, zone=zone, policy=policy)
    flags = set(closure.get("flags") or [])
    if result.confirmation is False:
        flags.add("disputed_closure")
    fields = {
        **{k: v for k, v in closure.items() if k != "flags"},
        "flags": sorted(flags),
        "confirmation_received": confirmation is not None,
        "confirmed": result.confirmation,
        "confirmation_responded_at": confirmation["responded_at"] if confirmation else None,
        "reopened_within_30_days": result.reopened_within,
        "reopened_at": reopened["reopened_at"] if reopened else None,
        "days_to_reopen": result.days_to_reopen,
        "evidence_type": result.evidence_type,
        "credibility_reasons": result.reasons,
    }
    return {
        "reference": ref,
        "classification": None if reasons else result.credibility.value,
        "reasons": reasons,
        "fields": fields,
        "case_id": None,
    }


async def generate_closure_review(
    session: AsyncSession,
    review_id: str,
    period: str,
    as_of: datetime,
    zone: str,
    policy: CredibilityPolicy,
    generated_at: datetime | None = None,
) -> Review:
    """Classify and store the review of month ``period``; an existing review is returned as is."""
    existing = await session.get(Review, review_id)
    if existing is not None:
        return existing
    start, end = month_bounds(period, zone)
    external = await register_closures(session, start, end)
    own = await own_closures(session, start, end)
    closures = {**external, **own}  # the service's own record wins over a re-sent register row
    keys = list(closures)
    satellites = {
        feed: await current_records(session, feed, keys)
        for feed in (CONFIRMATIONS, REOPENED, EVIDENCE)
    }
    items = [closure_item(closures[k], satellites, zone, policy) for k in sorted(keys)]
    tally = Counter(item["classification"] for item in items)
    summary = {
        "total": len(items),
        "month": period,
        "counts": {c.value: tally.get(c.value, 0) for c in Credibility},
        "exceptions": tally.get(None, 0),
        "sources": {"service": len(own), CLOSED_REGISTER: len(external)},
        "policy": policy.model_dump(),
    }
    review = Review(
        review_id=review_id,
        example=EXAMPLE_CREDIBILITY,
        period=period,
        as_of=as_of,
        generated_at=generated_at or as_of,
        status="generated",
        summary=summary,
    )
    session.add(review)
    await session.flush()
    await _insert_review_items(session, review_id, items)
    return review


async def _insert_review_items(
    session: AsyncSession, review_id: str, items: list[dict[str, Any]]
) -> None:
    rows = [{"review_id": review_id, **item} for item in items]
    for begin in range(0, len(rows), _INSERT_CHUNK):
        await session.execute(insert(_ITEMS), rows[begin : begin + _INSERT_CHUNK])


async def non_credible_items(session: AsyncSession) -> list[dict[str, Any]]:
    """Every doubtful or failed closure of any closure review, one per case_ref (latest review)."""
    rows = await session.execute(
        select(ReviewItemRow.reference, ReviewItemRow.fields)
        .join(Review, Review.review_id == ReviewItemRow.review_id)
        .where(
            Review.example == EXAMPLE_CREDIBILITY,
            ReviewItemRow.classification.in_(["doubtful", "failed"]),
        )
        .order_by(Review.as_of)
    )
    return list({ref: fields for ref, fields in rows.all()}.values())  # noqa: C416
