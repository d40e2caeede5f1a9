"""Example 1 step 3's prerequisite documents (the seed: the manager "cannot proceed without the
validated near-miss reliability case, the employee's current 90-day reporting profile, and the
live workforce concern register"). Each shows the rows step 3's computed values are counted from,
computed by the same function as the values, so what is shown and what is checked agree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acknowledgment import ATTRIBUTION_KIND, PLATFORM, REPORTING_LOG, AckPolicy
from domain.instants import instant
from store.acknowledgment_values import (
    CONCERN_REGISTER,
    case_policy,
    retention_values,
    worker_rows_between,
)
from store.sources import current_records
from store.tables import Case, RegisterEntry, SourceRecord

if TYPE_CHECKING:
    from store.document_context import DocumentContext

PROFILE_DAYS = 90


async def _attribution(session: AsyncSession, case_id: str) -> RegisterEntry | None:
    return await session.scalar(
        select(RegisterEntry)
        .where(RegisterEntry.subject == case_id, RegisterEntry.kind == ATTRIBUTION_KIND)
        .order_by(RegisterEntry.id.desc())
        .limit(1)
    )


async def _subject(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any] | None:
    """The report, its worker and step 3's opening instant (the attribution's acceptance)."""
    report = (await current_records(session, PLATFORM, [ctx.reference])).get(ctx.reference)
    entry = await _attribution(session, ctx.case_id)
    if report is None or entry is None:
        return None
    policy = await case_policy(session, ctx.case_id) or AckPolicy()
    return {"report": report, "at": entry.recorded_at, "entry": entry, "policy": policy}


async def _values(session: AsyncSession, subject: dict[str, Any]) -> dict[str, Any]:
    report, at = subject["report"], subject["at"]
    submitted = instant(report["submitted_at"])
    assert submitted is not None
    values = await retention_values(
        session,
        report["reference"],
        report["employee_id"],
        submitted,
        report["risk_domain"],
        at,
        policy=subject["policy"],
    )
    return values.model_dump(mode="json")


async def near_miss_reliability_case(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The validated case: its exposure and the attribution note in the case register."""
    case = await session.get(Case, ctx.case_id)
    entry = await _attribution(session, ctx.case_id)
    return {
        "validated": entry is not None,
        "exposure": case.exposure if case else None,
        "service_line": case.service_line if case else None,
        "attribution_note": None
        if entry is None
        else {
            "id": f"{entry.register}:{entry.seq}",
            "register": entry.register,
            "recorded_at": entry.recorded_at.isoformat(),
            "actor": entry.actor,
            "payload": entry.payload,
        },
    }


async def reporting_profile(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The worker's reports of the last 90 days, the 180-day rows step 3 counts, its values."""
    subject = await _subject(session, ctx)
    if subject is None:
        return {"available": False}
    report, at, policy = subject["report"], subject["at"], subject["policy"]
    submitted = instant(report["submitted_at"])
    assert submitted is not None
    worker = report["employee_id"]
    since = submitted - timedelta(days=policy.prior_reports_days)

    def refs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        others = [r for r in rows if r["reference"] != report["reference"]]
        keys = ("reference", "submitted_at", "risk_domain", "category_code")
        return sorted(({k: r.get(k) for k in keys} for r in others), key=lambda r: r["reference"])

    return {
        "available": True,
        "as_of": at.isoformat(),
        "reports_90d": refs(
            await worker_rows_between(
                session, REPORTING_LOG, worker, at - timedelta(days=PROFILE_DAYS), at
            )
        ),
        "prior_reports_180d_rows": refs(
            await worker_rows_between(session, REPORTING_LOG, worker, since, submitted)
        ),
        "repeated_exposures_same_domain_180d_rows": refs(
            await worker_rows_between(
                session, PLATFORM, worker, since, submitted, risk_domain=report["risk_domain"]
            )
        ),
        "values": await _values(session, subject),
    }


async def workforce_concern_register(session: AsyncSession, ctx: DocumentContext) -> dict[str, Any]:
    """The worker's concerns in the live register (open ones first) and step 3's concern values."""
    subject = await _subject(session, ctx)
    if subject is None:
        return {"available": False}
    worker = subject["report"]["employee_id"]
    rows = (
        await session.scalars(
            select(SourceRecord.content).where(
                SourceRecord.feed == CONCERN_REGISTER,
                SourceRecord.content["employee_id"].as_string() == worker,
            )
        )
    ).all()
    # Each concern as a person reads it, in this order: what, its status, when it opened and
    # closed; ``id`` is for citing it (the page shows no ID column), the worker is the case's.
    concerns = sorted(
        (
            {
                "concern_type": r["concern_type"],
                "status": r["status"],
                "opened_at": r["opened_at"],
                "closed_at": r.get("closed_at"),
                "id": f"{CONCERN_REGISTER}:{r['concern_id']}",
            }
            for r in rows
        ),
        key=lambda r: (r["status"] != "open", str(r["opened_at"])),
    )
    values = await _values(session, subject)
    return {
        "available": True,
        "concerns": concerns,
        "open_concern": values["open_concern"],
        "open_concern_types": values["open_concern_types"],
    }


RETENTION_BUILDERS: dict[
    str, Callable[[AsyncSession, DocumentContext], Awaitable[dict[str, Any]]]
] = {
    "near-miss-reliability-case": near_miss_reliability_case,
    "reporting-profile": reporting_profile,
    "workforce-concern-register": workforce_concern_register,
}
