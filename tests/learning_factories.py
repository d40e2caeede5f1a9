"""Factories for example-2 feed rows: one closed report consistent across the four feeds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.roles import Role
from tests.factories import load

LEARNING_STAFF: dict[str, list[Role]] = {
    "E-AUDITOR": [Role.LEARNING_VISIBILITY_AUDITOR],
    "E-REGIONAL": [Role.REGIONAL_WORKFORCE_ASSURANCE_MANAGER],
    "E-EXEC": [Role.EXECUTIVE_DIRECTOR_QUALITY_LEARNING_WORKFORCE_SUPPORT],
    "E-GOVREV": [Role.WORKFORCE_GOVERNANCE_REVIEWER],
}
ATTRIBUTION_DOCS = [
    "learning-visibility-audit",
    "corrective-action-chronology",
    "learning-communication-record",
    "recurrence-pattern-review",
]
PATHWAY_DOCS = ["learning-control-standards-sheet", "frontline-impact-summary"]
FEEDS = (
    "incident-platform",
    "corrective-action-tracker",
    "learning-bulletin-log",
    "recurrence-analysis-file",
)


def closed_report(
    reference: str,
    *,
    closed_at: datetime,
    action: str | None = "complete",
    action_completed_before_closure: bool = True,
    feedback: bool = True,
    wider_relevance: bool = False,
    bulletin: bool = False,
    recurrence: bool = False,
    repeats: int = 0,
    action_due: datetime | None = None,
    domain: str = "medication",
    service_line: str = "HC-NORTH",
    employee_id: str = "W-100",
) -> dict[str, dict[str, Any]]:
    """A report closed at CLOSED_AT, by feed; ``action=None`` means no corrective action."""
    ref = f"CA-{reference}" if action is not None else None
    submitted = closed_at - timedelta(days=10)
    rows: dict[str, dict[str, Any]] = {
        "incident-platform": {
            "reference": reference,
            "employee_id": employee_id,
            "service_line": service_line,
            "risk_domain": domain,
            "category_code": "MED-01",
            "submitted_at": submitted.isoformat(),
            "first_acknowledged_at": (submitted + timedelta(hours=1)).isoformat(),
            "triage_completed_at": (submitted + timedelta(hours=5)).isoformat(),
            "triage_status": "closed",
            "triage_owner_id": "E-OWNER",
            "recurrence_risk": recurrence,
            "unsafe_condition_active": False,
            "closed_at": closed_at.isoformat(),
            "corrective_action_ref": ref,
        },
        "learning-bulletin-log": {
            "reference": reference,
            "risk_domain": domain,
            "corrective_action_ref": ref,
            "wider_relevance": wider_relevance,
            "feedback_to_reporter_at": (closed_at - timedelta(hours=2)).isoformat()
            if feedback
            else None,
            "bulletin_id": "B-1" if bulletin else None,
            "bulletin_issued_at": closed_at.isoformat() if bulletin else None,
        },
        "recurrence-analysis-file": {
            "reference": reference,
            "risk_domain": domain,
            "corrective_action_ref": ref,
            "recurrence_within_30_days": recurrence,
            "repeat_count_same_domain": repeats,
            "analysed_at": closed_at.isoformat(),
        },
    }
    if ref is not None:
        done = closed_at - timedelta(days=1 if action_completed_before_closure else -1)
        rows["corrective-action-tracker"] = {
            "corrective_action_ref": ref,
            "reference": reference,
            "risk_domain": domain,
            "status": action,
            "due_at": (action_due or closed_at + timedelta(days=5)).isoformat(),
            "completed_at": done.isoformat() if action == "complete" else None,
        }
    return rows


async def load_closed(
    sessions: async_sessionmaker[AsyncSession], reports: list[dict[str, dict[str, Any]]]
) -> None:
    """Load reports through the real ingestion path, feed by feed."""
    for feed in FEEDS:
        rows = [r[feed] for r in reports if feed in r]
        if rows:
            await load(sessions, feed, rows)


def confidence(
    response_id: str,
    at: datetime,
    score: int,
    domain: str = "medication",
    service_line: str = "HC-NORTH",
) -> dict[str, Any]:
    return {
        "response_id": response_id,
        "employee_id": "W-100",
        "service_line": service_line,
        "risk_domain": domain,
        "score": score,
        "submitted_at": at.isoformat(),
    }
