"""Small analytics data sets with known answers: rows of the feeds the analytics read, the
reviews and audits generated from them, and the answer's rows keyed by their group."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.calendar import BusinessCalendar, CalendarConfig
from domain.credibility import CredibilityPolicy
from domain.learning import LearningPolicy
from domain.learning_cycles import cycle_window
from store.credibility import generate_closure_review
from store.db import transaction
from store.learning import generate_audit
from tests.factories import report_rows

ZONE = "Europe/London"
LEARNING = LearningPolicy()
CALENDAR = BusinessCalendar(CalendarConfig())


def by(rows: list[dict[str, Any]], *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in rows}


async def rejected_field(api: Any, url: str) -> str:
    response = await api.get(url, "E-INSPECTOR")
    assert response.status_code == 422, response.text
    field: str = response.json()["errors"][0]["field"]
    return field


async def audit(sessions: Any, cycle: date, as_of: datetime) -> None:
    window = cycle_window(CALENDAR, cycle, LEARNING)
    async with transaction(sessions) as session:
        await generate_audit(session, f"learning-audit-{cycle}", cycle, window, as_of, LEARNING)


def register(reference: str, manager_line: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "employee_id": "W-100",
        "service_line": "HC-NORTH",
        "manager_line": manager_line,
        "triage_owner_id": "E-OWNER",
        "risk_domain": "medication",
    }


def closure_row(case_ref: str, day: int, **over: Any) -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "reference": f"NM-{case_ref}",
        "employee_id": "W-1",
        "service_line": "SL-A",
        "manager_line": "ML-1",
        "closed_at": datetime(2026, 10, day, 10, tzinfo=UTC).isoformat(),
        "closure_category": "corrective_action_completed",
        "final_reviewing_role": "R1",
        **over,
    }


def confirmation(case_ref: str, confirmed: bool, employee: str = "W-1") -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "employee_id": employee,
        "confirmed": confirmed,
        "responded_at": "2026-10-30T10:00:00+00:00",
    }


def evidence(case_ref: str, kind: str = "photo") -> dict[str, Any]:
    return {"case_ref": case_ref, "evidence_type": kind, "recorded_at": "2026-10-20T10:00:00Z"}


async def closure_review(sessions: Any, month: str, as_of: datetime) -> None:
    async with transaction(sessions) as session:
        await generate_closure_review(
            session, f"closure-review-{month}", month, as_of, ZONE, CredibilityPolicy()
        )


def worker(
    eid: str, line: str = "HC-NORTH", left: str | None = None, **over: Any
) -> dict[str, Any]:
    return {
        "employee_id": eid,
        "display_name": eid,
        "email": f"{eid.lower()}@example-care.org.uk",
        "roles": ["worker"],
        "service_line": line,
        "manager_line": "ML-1" if line == "HC-NORTH" else "ML-2",
        "active": left is None,
        "left_at": left,
        **over,
    }


def answer(rid: str, eid: str, score: int, day: str, line: str = "HC-NORTH") -> dict[str, Any]:
    return {
        "response_id": rid,
        "employee_id": eid,
        "service_line": line,
        "risk_domain": "medication",
        "score": score,
        "submitted_at": f"{day}T12:00:00+00:00",
    }


def platform(
    ref: str, eid: str, at: str, line: str = "HC-NORTH", domain: str = "medication"
) -> dict[str, Any]:
    """The incident-platform row of a report submitted at AT (acknowledged after 5 minutes)."""
    submitted = datetime.fromisoformat(at)
    row = report_rows(
        ref,
        submitted_at=submitted,
        ack_minutes=5,
        employee_id=eid,
        service_line=line,
        domain=domain,
    )
    return row["incident-platform"]
