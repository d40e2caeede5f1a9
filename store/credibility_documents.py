"""Example 3 prerequisite documents (registered in ``store.documents.BUILDERS``).

Chronology entries carry stable ids (``FEED:KEY:vN``, ``event:N``) so a step can cite them. This
module does not import ``store.documents`` at run time (that module imports this one).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.credibility import (
    CONFIRMATIONS,
    CREDIBILITY_FEEDS,
    EVIDENCE,
    REPAIR_LOG,
    SPEAKING_UP,
    case_ref_of,
)
from domain.names import EXAMPLE_CREDIBILITY
from store.credibility import non_credible_items
from store.credibility_values import BASELINE_KIND, adjudication_note, rules, validation_values
from store.document_context import (
    event_entries,
    in_time_order,
    item_view,
    received_entry,
    review_view,
)
from store.register_reads import entries as register_entries
from store.tables import Case, CaseEvent, Review, SourceRecord, SourceRecordVersion
from store.tables import ReviewItem as ReviewItemRow

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from store.document_context import DocumentContext

PLATFORM = "incident-platform"


async def _item(session: AsyncSession, ctx: DocumentContext) -> ReviewItemRow | None:
    return await session.get(ReviewItemRow, (ctx.review_id, case_ref_of(ctx.case_id)))


async def _versions(session: AsyncSession, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    entries = []
    for feed, key in pairs:
        rows = await session.scalars(
            select(SourceRecordVersion)
            .where(SourceRecordVersion.feed == feed, SourceRecordVersion.key == key)
            .order_by(SourceRecordVersion.version)
        )
        entries += [received_entry(r) for r in rows]  # at its own date, received beside
    return entries


async def closure_review(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The monthly review's summary and this closure's item."""
    review = await session.get(Review, ctx.review_id)
    item = await _item(session, ctx)
    return {
        "review": review_view(review, "month"),
        "item": item_view(item, "case_ref", with_case=False),
    }


async def case_chronology(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The closed case's records in every closure feed and the platform, and both cases' events."""
    case_ref = case_ref_of(ctx.case_id)
    pairs = [(feed, case_ref) for feed in CREDIBILITY_FEEDS] + [(PLATFORM, ctx.reference)]
    entries = await _versions(session, pairs) + await event_entries(session, case_ref, ctx.case_id)
    return {"entries": in_time_order(entries)}


async def final_action_evidence(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """Every version of the closed case's final-action evidence."""
    entries = await _versions(session, [(EVIDENCE, case_ref_of(ctx.case_id))])
    return {"entries": entries, "current": entries[-1]["content"] if entries else None}


async def employee_narrative_feedback(
    session: AsyncSession, ctx: DocumentContext
) -> dict[str, Any]:
    """The worker's confirmation answers (with comments) and speaking-up comments."""
    case = await session.get(Case, ctx.case_id)
    employee = case.employee_id if case else ""
    answers = await _versions(session, [(CONFIRMATIONS, case_ref_of(ctx.case_id))])
    comments = await session.scalars(
        select(SourceRecord.content).where(
            SourceRecord.feed == SPEAKING_UP,
            SourceRecord.content["employee_id"].as_string() == employee,
        )
    )
    return {
        "confirmations": answers,
        "speaking_up": sorted(
            (c for c in comments if c.get("comment")), key=lambda c: str(c["submitted_at"])
        ),
    }


async def reviewer_accountability_sheet(
    session: AsyncSession, ctx: DocumentContext
) -> dict[str, Any]:
    """The adjudication note and non-credible closures by the same reviewing role / manager line."""
    item = await _item(session, ctx)
    fields = item.fields if item else {}
    others = await non_credible_items(session)
    note = await adjudication_note(session, ctx.case_id)

    def same(key: str) -> list[dict[str, Any]]:
        return [
            {k: o.get(k) for k in ("case_ref", "closed_at", "service_line")}
            for o in others
            if fields.get(key) is not None and o.get(key) == fields.get(key)
        ]

    return {
        **note,
        "final_reviewing_role": fields.get("final_reviewing_role"),
        "manager_line": fields.get("manager_line"),
        "same_reviewing_role": same("final_reviewing_role"),
        "same_manager_line": same("manager_line"),
    }


async def service_impact_summary(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The service line's closures by credibility, open repair cases and speaking-up scores."""
    case = await session.get(Case, ctx.case_id)
    line = case.service_line if case else ""
    items = await session.scalars(
        select(ReviewItemRow).where(ReviewItemRow.review_id == ctx.review_id)
    )
    tally = Counter(i.classification for i in items if i.fields.get("service_line") == line)
    open_cases = await session.scalar(
        select(func.count())
        .select_from(Case)
        .where(
            Case.example == EXAMPLE_CREDIBILITY, Case.service_line == line, Case.status == "open"
        )
    )
    scores = [
        int(c["score"])
        for c in await session.scalars(
            select(SourceRecord.content).where(
                SourceRecord.feed == SPEAKING_UP,
                SourceRecord.content["service_line"].as_string() == line,
            )
        )
    ]
    return {
        "service_line": line,
        "closures_by_credibility": {str(k): v for k, v in tally.items()},
        "open_repair_cases": int(open_cases or 0),
        "speaking_up_responses": len(scores),
        "speaking_up_mean": round(sum(scores) / len(scores), 2) if scores else None,
    }


async def repair_validation_measures(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """Step 4's measures now: answers since activation, reopen status, score against the pinned
    baseline, with the adjudication's rules; what is still missing is named."""
    pinned = [
        e.payload
        for e in await register_entries(session, REPAIR_LOG, subject=ctx.case_id)
        if e.kind == BASELINE_KIND
    ]
    case = await session.get(Case, ctx.case_id)
    if not pinned or case is None:
        return {"available": False}
    baseline = pinned[0]
    activated_at = datetime.fromisoformat(str(baseline["activated_at"]))
    # "As of" the case's latest recorded event (the API has no clock of its own to offer here).
    latest = await session.scalar(
        select(func.max(CaseEvent.at)).where(CaseEvent.case_id == ctx.case_id)
    )
    policy = await rules(session, str(baseline["rule_version"]), ctx.review_id)
    values = await validation_values(
        session,
        ctx.review_id,
        case_ref_of(ctx.case_id),
        case.employee_id,
        activated_at,
        max(activated_at, latest or activated_at),
        policy,
    )
    return {"available": True, "baseline": baseline, **values.model_dump(mode="json")}


CREDIBILITY_BUILDERS: dict[
    str, Callable[[AsyncSession, DocumentContext], Awaitable[dict[str, Any]]]
] = {
    "closure-review": closure_review,
    "case-chronology": case_chronology,
    "final-action-evidence": final_action_evidence,
    "employee-narrative-feedback": employee_narrative_feedback,
    "reviewer-accountability-sheet": reviewer_accountability_sheet,
    "service-impact-summary": service_impact_summary,
    "repair-validation-measures": repair_validation_measures,
}
