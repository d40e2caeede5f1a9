"""Example 2 prerequisite documents, built from what the service holds (registered in BUILDERS).

Chronology entries carry a stable ``id`` (``FEED:KEY:vN`` for a received record version,
``event:N`` for a case event) so an attribution can cite one as evidence. This module does not
import ``store.documents`` (which imports it): builders take any context with the three names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.instants import iso
from domain.learning import ACTION_TRACKER, BULLETIN_LOG, PLATFORM, RECURRENCE_FILE, LearningPolicy
from domain.learning_measures import STANDARDS
from domain.learning_steps import ATTRIBUTION_KIND, LEARNING_VISIBILITY_REGISTER
from store.document_context import (
    event_entries,
    in_time_order,
    item_view,
    received_entry,
    review_and_item,
    review_view,
)
from store.learning_values import follow_up, measures
from store.tables import RegisterEntry, SourceRecord, SourceRecordVersion


class Context(Protocol):
    reference: str
    review_id: str
    case_id: str


async def learning_visibility_audit(session: AsyncSession, ctx: Context) -> dict[str, Any]:
    """The audit's summary (pinned rules included) and this report's item."""
    review, item = await review_and_item(session, ctx.review_id, ctx.reference)
    return {"audit": review_view(review, "cycle_start"), "item": item_view(item)}


async def _versions(session: AsyncSession, feed: str, keys: list[str]) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(SourceRecordVersion)
        .where(SourceRecordVersion.feed == feed, SourceRecordVersion.key.in_(keys))
        .order_by(SourceRecordVersion.received_at, SourceRecordVersion.version)
    )
    return [received_entry(row) for row in rows]


async def _action_refs(session: AsyncSession, reference: str) -> list[str]:
    """Refs of every corrective action naming the report, plus the report's own ref."""
    refs = set(
        await session.scalars(
            select(SourceRecord.key).where(
                SourceRecord.feed == ACTION_TRACKER,
                SourceRecord.content["reference"].as_string() == reference,
            )
        )
    )
    report = await session.get(SourceRecord, (PLATFORM, reference))
    own = report.content.get("corrective_action_ref") if report else None
    return sorted(refs | ({own} if own else set()))


async def corrective_action_chronology(session: AsyncSession, ctx: Context) -> dict[str, Any]:
    """The report's and its corrective actions' received versions, then the case's events."""
    entries = await _versions(session, PLATFORM, [ctx.reference])
    entries += await _versions(session, ACTION_TRACKER, await _action_refs(session, ctx.reference))
    entries += await event_entries(session, ctx.case_id)
    return {"entries": in_time_order(entries)}


async def learning_communication_record(session: AsyncSession, ctx: Context) -> dict[str, Any]:
    """The learning bulletin log's versions: feedback to the reporter and bulletin issuance."""
    return {"entries": await _versions(session, BULLETIN_LOG, [ctx.reference])}


async def recurrence_pattern_review(session: AsyncSession, ctx: Context) -> dict[str, Any]:
    """The report's recurrence analysis versions and the domain's current recurrence pattern."""
    own = await _versions(session, RECURRENCE_FILE, [ctx.reference])
    _, item = await review_and_item(session, ctx.review_id, ctx.reference)
    domain = item.fields.get("risk_domain") if item else None
    rows = (
        await session.scalars(
            select(SourceRecord.content).where(
                SourceRecord.feed == RECURRENCE_FILE,
                SourceRecord.content["risk_domain"].as_string() == str(domain),
            )
        )
    ).all()
    recurring = sorted(r["reference"] for r in rows if r.get("recurrence_within_30_days"))
    return {
        "risk_domain": domain,
        "entries": own,
        "domain_reports_analysed": len(rows),
        "domain_recurrences_within_30_days": recurring,
        "max_repeat_count_same_domain": max(
            (int(r.get("repeat_count_same_domain", 0)) for r in rows), default=0
        ),
    }


async def learning_control_standards_sheet(session: AsyncSession, ctx: Context) -> dict[str, Any]:
    """Standards per indicator, the case's indicators and its attribution note (complete when
    the note is in the learning-visibility register)."""
    _, item = await review_and_item(session, ctx.review_id, ctx.reference)
    found = list(item.fields.get("indicators") or []) if item else []
    note = await session.scalar(
        select(RegisterEntry)
        .where(
            RegisterEntry.register == LEARNING_VISIBILITY_REGISTER,
            RegisterEntry.subject == ctx.case_id,
            RegisterEntry.kind == ATTRIBUTION_KIND,
        )
        .order_by(RegisterEntry.seq.desc())
        .limit(1)
    )
    return {
        "standards": [
            {"indicator": name, "standard": text, "satisfied_by": list(flags)}
            for name, (text, flags) in STANDARDS.items()
        ],
        "case_indicators": found,
        "attribution_note": None
        if note is None
        else {"seq": note.seq, "actor": note.actor, "recorded_at": iso(note.recorded_at)}
        | {"payload": note.payload},
        "complete": note is not None,
        "missing": [] if note is not None else [ATTRIBUTION_KIND],
    }


async def frontline_impact_summary(session: AsyncSession, ctx: Context) -> dict[str, Any]:
    """The service line's measures in the case's risk domain over the 14 days before the audit."""
    review, item = await review_and_item(session, ctx.review_id, ctx.reference)
    if review is None or item is None:
        return {"available": False}
    policy = LearningPolicy.model_validate(review.summary.get("policy") or {})
    current = await measures(
        session,
        str(item.fields["risk_domain"]),
        str(item.fields["service_line"]),
        review.as_of,
        policy,
    )
    return {"available": True, "measures": current.model_dump(mode="json")}


async def validation_measures(session: AsyncSession, ctx: Context) -> dict[str, Any]:
    """Baseline (pinned at activation), follow-up, confidence responses and the close gate."""
    values = await follow_up(session, ctx.case_id)
    if values is None:
        return {"available": False}
    return {"available": True, **values.model_dump(mode="json")}


LEARNING_BUILDERS: dict[str, Callable[[AsyncSession, Any], Awaitable[dict[str, Any]]]] = {
    "learning-visibility-audit": learning_visibility_audit,
    "corrective-action-chronology": corrective_action_chronology,
    "learning-communication-record": learning_communication_record,
    "recurrence-pattern-review": recurrence_pattern_review,
    "learning-control-standards-sheet": learning_control_standards_sheet,
    "frontline-impact-summary": frontline_impact_summary,
    "validation-measures": validation_measures,
}
