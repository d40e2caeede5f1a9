"""Example 1 prerequisite documents the service builds from what it holds (the daily review,
the report's chronology, triage notes, the classification's source, the authorization sheet).

Each document is JSON-ready. Chronology entries carry a stable ``id`` (``FEED:KEY:vN`` for a
received record version, ``event:N`` for a case event) so a step can cite one as evidence.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acknowledgment import (
    ACK_FEEDS,
    ATTRIBUTION_KIND,
    PLATFORM,
    RESPONSE_TRACKER,
    RETENTION_IMPACT_KIND,
    AckPolicy,
)
from domain.instants import iso
from store.document_context import (
    Builder,
    DocumentContext,
    event_entries,
    in_time_order,
    item_view,
    received_entry,
    review_and_item,
    review_view,
)
from store.tables import Case, RegisterEntry, SourceRecord, SourceRecordVersion

# Fields of the incident-platform record the classification reads.
CLASSIFICATION_INPUTS = (
    "submitted_at", "first_acknowledged_at", "triage_completed_at", "triage_status",
    "triage_owner_id", "unsafe_condition_active", "risk_domain", "category_code",
    "recurrence_risk",
)  # fmt: skip


async def daily_review(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The review's summary and this report's item."""
    review, item = await review_and_item(session, ctx.review_id, ctx.reference)
    return {"review": review_view(review, "period"), "item": item_view(item)}


async def _versions(
    session: AsyncSession, feeds: tuple[str, ...], reference: str
) -> list[SourceRecordVersion]:
    rows = await session.scalars(
        select(SourceRecordVersion)
        .where(SourceRecordVersion.feed.in_(feeds), SourceRecordVersion.key == reference)
        .order_by(
            SourceRecordVersion.received_at, SourceRecordVersion.feed, SourceRecordVersion.version
        )
    )
    return list(rows)


async def report_chronology(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """Every received version of the report in the four feeds, each at its own date (when it
    happened, received beside), with the case's events among them by time."""
    entries = [received_entry(row) for row in await _versions(session, ACK_FEEDS, ctx.reference)]
    entries += await event_entries(session, ctx.case_id)
    return {"entries": in_time_order(entries)}


async def triage_note_history(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The manager response tracker's versions of the report: status, owner, review over time."""
    rows = await _versions(session, (RESPONSE_TRACKER,), ctx.reference)
    return {
        "entries": [
            {
                "id": f"{row.feed}:{row.key}:v{row.version}",
                "version": row.version,
                "received_at": iso(row.received_at),
                "triage_status": row.content.get("triage_status"),
                "triage_owner_id": row.content.get("triage_owner_id"),
                "manager_reviewed": row.content.get("manager_reviewed"),
                "updated_at": row.content.get("updated_at"),
            }
            for row in rows
        ]
    }


async def risk_classification_source(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The pinned policy, the review's classification and the live platform inputs."""
    review, item = await review_and_item(session, ctx.review_id, ctx.reference)
    policy = review.summary.get("policy") if review else None
    live = await session.get(SourceRecord, (PLATFORM, ctx.reference))
    fields = item.fields if item else {}
    return {
        "policy": policy or AckPolicy().model_dump(),
        "as_of": iso(review.as_of) if review else None,
        "classification": item.classification if item else None,
        "reasons": item.reasons if item else [],
        "ack_elapsed_min": fields.get("ack_elapsed_min"),
        "triage_elapsed_min": fields.get("triage_elapsed_min"),
        "indicators": fields.get("indicators"),
        "indicator_count": fields.get("indicator_count"),
        "inputs_at_review": {name: fields.get(name) for name in CLASSIFICATION_INPUTS},
        "live_record": (
            {name: live.content.get(name) for name in CLASSIFICATION_INPUTS} if live else None
        ),
        "live_record_received_at": iso(live.received_at) if live else None,
    }


async def _latest_entry(session: AsyncSession, case_id: str, kind: str) -> dict[str, Any] | None:
    entry = await session.scalar(
        select(RegisterEntry)
        .where(RegisterEntry.subject == case_id, RegisterEntry.kind == kind)
        .order_by(RegisterEntry.recorded_at.desc(), RegisterEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return None
    return {
        "register": entry.register,
        "seq": entry.seq,
        "actor": entry.actor,
        "recorded_at": iso(entry.recorded_at),
        "payload": entry.payload,
    }


async def reporting_control_authorization_sheet(
    session: AsyncSession, ctx: DocumentContext
) -> dict[str, Any]:
    """Case summary with its attribution and retention results; complete when both exist."""
    case = await session.get(Case, ctx.case_id)
    review, item = await review_and_item(session, ctx.review_id, ctx.reference)
    results = {
        kind: await _latest_entry(session, ctx.case_id, kind)
        for kind in (ATTRIBUTION_KIND, RETENTION_IMPACT_KIND)
    }
    missing = [kind for kind, entry in results.items() if entry is None]
    return {
        "exposure": case.exposure if case else (item.classification if item else None),
        "stage": case.stage if case else None,
        "service_line": case.service_line if case else None,
        "policy_version": (review.summary.get("policy") or {}).get("version") if review else None,
        "indicators": item.fields.get("indicators") if item else None,
        "attribution": results[ATTRIBUTION_KIND],
        "retention_impact": results[RETENTION_IMPACT_KIND],
        "complete": not missing,
        "missing": missing,
    }


ACKNOWLEDGMENT_BUILDERS: dict[str, Builder] = {
    "daily-review": daily_review,
    "report-chronology": report_chronology,
    "triage-note-history": triage_note_history,
    "risk-classification-source": risk_classification_source,
    "reporting-control-authorization-sheet": reporting_control_authorization_sheet,
}
