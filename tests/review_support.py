"""Example 1 feeds as the daily review reads them: platform rows, their companions in the other
three feeds, register entries, and the review generated from them (store tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.acknowledgment import AckPolicy
from domain.feeds import FEEDS
from store.acknowledgment import (
    generate_review,
)
from store.sources import upsert_records
from store.tables import RegisterEntry

POLICY = AckPolicy()
AS_OF = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
RECEIVED = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


def report(reference: str, submitted: datetime | str, **over: Any) -> dict[str, Any]:
    """An incident-platform row, acknowledged and triaged promptly unless overridden."""
    at = datetime.fromisoformat(submitted) if isinstance(submitted, str) else submitted
    row: dict[str, Any] = {
        "reference": reference,
        "employee_id": "E1",
        "service_line": "SL-A",
        "risk_domain": "medication",
        "category_code": "MED-01",
        "submitted_at": submitted if isinstance(submitted, str) else submitted.isoformat(),
        "first_acknowledged_at": (at + timedelta(minutes=10)).isoformat(),
        "triage_completed_at": (at + timedelta(hours=2)).isoformat(),
        "triage_status": "triaged",
        "triage_owner_id": "OWN-1",
        "recurrence_risk": False,
        "unsafe_condition_active": False,
    }
    row.update(over)
    return row


def companions(p: dict[str, Any], manager_line: str = "ML-1") -> dict[str, dict[str, Any]]:
    """The three other example-1 feeds' rows agreeing with platform row ``p``."""
    keys = {k: p[k] for k in ("reference", "employee_id", "service_line", "triage_owner_id")}
    return {
        "workforce-reporting-log": {
            **keys,
            "submitted_at": p["submitted_at"],
            "first_acknowledged_at": p["first_acknowledged_at"],
        },
        "manager-response-tracker": {
            **keys,
            "triage_status": p["triage_status"],
            "manager_reviewed": True,
            "updated_at": p["submitted_at"],
        },
        "service-line-governance-register": {
            **keys,
            "manager_line": manager_line,
            "risk_domain": p["risk_domain"],
        },
    }


async def put(
    session: AsyncSession, feed: str, rows: list[dict[str, Any]], at: datetime = RECEIVED
) -> None:
    """Store rows through the real upsert (validated by the feed model)."""
    model = FEEDS[feed].model
    await upsert_records(session, feed, [model(**row) for row in rows], at)


async def put_reports(
    session: AsyncSession, reports: list[dict[str, Any]], at: datetime = RECEIVED, **skip: bool
) -> None:
    """Store reports in all four feeds (``skip`` names feeds, with _ for -, to leave out)."""
    await put(session, "incident-platform", reports, at)
    for feed in (
        "workforce-reporting-log",
        "manager-response-tracker",
        "service-line-governance-register",
    ):
        if not skip.get(feed.replace("-", "_")):
            await put(session, feed, [companions(r)[feed] for r in reports], at)


async def add_entry(
    session: AsyncSession,
    register: str,
    subject: str,
    kind: str,
    at: datetime,
    payload: dict[str, Any],
) -> None:
    """A register entry as the step engine writes it (the chain itself is tested elsewhere)."""
    seq = await session.scalar(
        select(func.count()).select_from(RegisterEntry).where(RegisterEntry.register == register)
    )
    session.add(
        RegisterEntry(
            register=register,
            seq=(seq or 0) + 1,
            actor="M1",
            recorded_at=at,
            subject=subject,
            kind=kind,
            payload=payload,
            prev_hash="0" * 64,
            hash=f"{seq:064d}",
        )
    )
    await session.flush()


async def generate(sessions: Sessions, review_id: str = "ack-review-2026-11-26") -> Any:
    async with sessions() as s, s.begin():
        return await generate_review(s, review_id, date(2026, 11, 26), AS_OF, POLICY)
