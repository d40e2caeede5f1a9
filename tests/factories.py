"""Factories for feed rows, staff, a closed case, loading them through the real ingestion path
and reading back what a feed holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ingest import validate_rows
from domain.roles import Role
from store.db import transaction
from store.sources import upsert_records
from store.tables import Case, SourceRecord

STAFF: dict[str, list[Role]] = {
    "E-ANALYST": [Role.SAFETY_LEARNING_ASSURANCE_ANALYST],
    "E-SUPERVISOR": [Role.NEAR_MISS_GOVERNANCE_SUPERVISOR],
    "E-MANAGER": [Role.WORKFORCE_RETENTION_SAFETY_CULTURE_MANAGER],
    "E-DIRECTOR": [Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE],
    "E-OWNER": [Role.WORKER],
    "E-BOARD": [Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER],
    "E-ADMIN": [Role.ADMINISTRATOR],
    "E-INSPECTOR": [Role.INSPECTOR],
    "W-100": [Role.WORKER],
}


# W-100 under a real-looking name (non-ASCII: a scan must read JSON escapes).
NAMED_WORKER = ("W-100", "Siobhán Kowalczyk", "siobhan.kowalczyk@example-care.org.uk")


def named_staff_rows() -> list[dict[str, Any]]:
    """``staff_rows()`` with W-100 under NAMED_WORKER's name and email."""
    worker, name, address = NAMED_WORKER
    rows = staff_rows()
    for row in rows:
        if row["employee_id"] == worker:
            row |= {"display_name": name, "email": address}
    return rows


def email(employee_id: str) -> str:
    return f"{employee_id.lower()}@example-care.org.uk"


def staff_rows(extra: dict[str, list[Role]] | None = None) -> list[dict[str, Any]]:
    people = {**STAFF, **(extra or {})}
    return [
        {
            "employee_id": eid,
            "display_name": eid.title(),
            "email": email(eid),
            "roles": [r.value for r in roles],
            "service_line": "HC-NORTH",
            "manager_line": "ML-1",
            "active": True,
        }
        for eid, roles in people.items()
    ]


def report_rows(
    reference: str,
    *,
    submitted_at: datetime,
    ack_minutes: int | None,
    employee_id: str = "W-100",
    owner: str | None = "E-OWNER",
    status: str = "in_triage",
    unsafe: bool = False,
    service_line: str = "HC-NORTH",
    domain: str = "medication",
) -> dict[str, dict[str, Any]]:
    """One report consistent across the four example-1 feeds (by feed name)."""
    ack = submitted_at + timedelta(minutes=ack_minutes) if ack_minutes is not None else None
    iso = submitted_at.isoformat()
    ack_iso = ack.isoformat() if ack else None
    common = {
        "reference": reference,
        "employee_id": employee_id,
        "service_line": service_line,
        "triage_owner_id": owner,
    }
    return {
        "incident-platform": {
            **common,
            "risk_domain": domain,
            "category_code": "MED-01",
            "submitted_at": iso,
            "first_acknowledged_at": ack_iso,
            "triage_status": status,
            "recurrence_risk": False,
            "unsafe_condition_active": unsafe,
            "narrative": "Insulin nearly given twice",
        },
        "workforce-reporting-log": {
            **common,
            "submitted_at": iso,
            "first_acknowledged_at": ack_iso,
        },
        "manager-response-tracker": {
            **common,
            "triage_status": status,
            "manager_reviewed": False,
            "updated_at": iso,
        },
        "service-line-governance-register": {
            **common,
            "manager_line": "ML-1",
            "risk_domain": domain,
        },
    }


async def load(
    sessions: async_sessionmaker[AsyncSession], feed: str, rows: list[dict[str, Any]]
) -> None:
    """Validate and upsert rows through the real ingestion path; fails on any rejection."""
    records, rejected = validate_rows(feed, rows)
    assert not rejected, rejected
    async with transaction(sessions) as session:
        await upsert_records(session, feed, records, datetime.now(UTC))


async def load_reports(
    sessions: async_sessionmaker[AsyncSession], reports: list[dict[str, dict[str, Any]]]
) -> None:
    for feed in (
        "incident-platform",
        "workforce-reporting-log",
        "manager-response-tracker",
        "service-line-governance-register",
    ):
        await load(sessions, feed, [r[feed] for r in reports if feed in r])


def case_row(case_id: str, employee_id: str) -> Case:
    now = datetime.now(UTC)
    return Case(
        case_id=case_id,
        example="acknowledgment",
        reference=case_id.removeprefix("ack-case-"),
        review_id="ack-review-2026-11-26",
        employee_id=employee_id,
        service_line="HC-NORTH",
        exposure="critical",
        stage="closed",
        status="closed",
        escalation_level=0,
        opened_at=now,
        updated_at=now,
        closed_at=now,
        detail={},
    )


def closed_register_row(case_ref: str, employee_id: str) -> dict[str, object]:
    return {
        "case_ref": case_ref,
        "reference": "NM-OLD-1",
        "employee_id": employee_id,
        "service_line": "HC-NORTH",
        "manager_line": "ML-1",
        "closed_at": "2026-10-01T12:00:00Z",
        "closure_category": "recovered",
        "final_reviewing_role": "director",
    }


async def stored_records(sessions, feed: str) -> dict[str, dict[str, object]]:
    async with sessions() as session:
        rows = await session.execute(
            select(SourceRecord.key, SourceRecord.content).where(SourceRecord.feed == feed)
        )
    return dict(rows.all())
