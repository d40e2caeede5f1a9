"""Example 3 reviews: the month's closures (the service's own and the register), classified.

The service's own closed cases are read from its tables (``own_closures``); reconciliation and
classification of those and of the register's rows in the month are one statement in the
database (``store.credibility_review``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.credibility import (
    CLOSED_REGISTER,
    Credibility,
    CredibilityPolicy,
    month_bounds,
)
from domain.instants import iso
from domain.names import EXAMPLE_CREDIBILITY
from store.credibility_closures import register_count, review_parameters
from store.credibility_late import late_disputes
from store.credibility_review import PLANNER, review_items_statement
from store.review_build import ReviewBuild, fill_review
from store.sources import current_records
from store.tables import Case, OutboxMessage, RegisterEntry, Review
from store.tables import ReviewItem as ReviewItemRow

GOVERNANCE_REGISTER = "service-line-governance-register"
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
    return await own_rows(session, list(cases))


async def own_rows(session: AsyncSession, cases: list[Case]) -> dict[str, dict[str, Any]]:
    """Closed ``cases`` of the service's own (examples 1 and 2) as register-shaped rows."""
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
    build = await closure_review_build(
        session, review_id, period, as_of, zone, policy, generated_at
    )
    return await fill_review(session, build)


async def closure_review_build(
    session: AsyncSession,
    review_id: str,
    period: str,
    as_of: datetime,
    zone: str,
    policy: CredibilityPolicy,
    generated_at: datetime | None = None,
) -> ReviewBuild:
    """What the month's review is built from (``store.review_build``): the service's own
    closures (read now, bound to the statement), the policy and the summary."""
    start, end = month_bounds(period, zone)
    own = await own_closures(session, start, end)
    late = await late_disputes(session, review_id, start, own_rows)

    async def summarize(session: AsyncSession, tally: dict[str | None, int]) -> dict[str, Any]:
        return {
            "total": sum(tally.values()),
            "month": period,
            "counts": {c.value: tally.get(c.value, 0) for c in Credibility},
            "exceptions": tally.get(None, 0),
            "sources": {
                "service": len(own),
                CLOSED_REGISTER: await register_count(
                    session, (start, end), sum(tally.values()) - len(late), own
                ),
            },
            "late_disputes": len(late),
            "policy": policy.model_dump(),
        }

    return ReviewBuild(
        review_id=review_id,
        example=EXAMPLE_CREDIBILITY,
        period=period,
        as_of=as_of,
        generated_at=generated_at or as_of,
        statement=review_items_statement,
        parameters=review_parameters(review_id, (start, end), zone, policy, {**late, **own}),
        summarize=summarize,
        planner=PLANNER,
    )


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
