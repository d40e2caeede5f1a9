"""My work from the projection alone (no Temporal): a named owner's pathway with an overdue
acceptance, and a closed case whose worker is asked for the confirmation form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from store.cases import sync_open_obligations
from store.db import transaction
from store.tables import Breach, Case
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiClient, ApiFactory
from tests.fixtures.mail import free_port

NOW = datetime(2026, 12, 9, 12, tzinfo=UTC)  # Wednesday noon in London
PATHWAY = "ack-case-NM-OWNED"
CLOSED = "ack-case-NM-CLOSED"


def owned_case(case_id: str, **values: Any) -> Case:
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    fields: dict[str, Any] = {
        "case_id": case_id, "example": "acknowledgment",
        "reference": case_id.removeprefix("ack-case-"), "review_id": "ack-review-2026-12-01",
        "employee_id": "W-100", "service_line": "HC-SOUTH", "exposure": "critical",
        "stage": "pathway-acceptance", "status": "open", "assigned_role": None,
        "assignee": "E-OWNER", "deadline": at, "escalation_level": 0, "opened_at": at,
        "updated_at": at, "closed_at": None, "detail": {},
    }  # fmt: skip
    return Case(**(fields | values))


async def seeded(sqlite_url: str, sessions_for: Any, api_for: ApiFactory) -> ApiClient:
    """Staff, an owned pathway (acceptance overdue at level 2, an action) and a closed case."""
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    due, later = NOW - timedelta(days=2), NOW + timedelta(days=5)
    open_items = [
        {"key": "pathway-acceptance", "title": "Accept the recovery pathway", "role": None,
         "assignee": "E-OWNER", "deadline": due.isoformat()},
        {"key": "action:retrain", "title": "Retrain the triage rota", "role": None,
         "assignee": "E-OWNER", "deadline": later.isoformat()},
    ]  # fmt: skip
    async with transaction(sessions) as session:
        detail = {"pathway_owner": "E-OWNER", "open": open_items}
        pathway = owned_case(PATHWAY, detail=detail)
        session.add(pathway)
        await sync_open_obligations(session, pathway, detail)  # as the projection keeps them
        session.add(owned_case(CLOSED, status="closed", closed_at=due, detail={}))
        for level in (1, 2):
            session.add(
                Breach(case_id=PATHWAY, step="pathway-acceptance", deadline=due, level=level,
                       escalated_at=due + timedelta(hours=level))
            )  # fmt: skip
    api = await api_for(
        sqlite_url, env="development", api_host="127.0.0.1",
        temporal_address=f"127.0.0.1:{free_port()}",
    )  # fmt: skip

    async def clock() -> datetime:
        return NOW

    api.app.state.clock = clock
    return api


SUPERVISOR_ROLE = "near_miss_governance_supervisor"


async def busy(sqlite_url: str, sessions_for: Any, api_for: ApiFactory, owed: int) -> ApiClient:
    """Staff and ``owed`` open cases at a step for the supervisor's role, due an hour apart
    from a day before ``NOW`` (the first 24 overdue), case IDs in the reverse of that order."""
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        for n in range(owed):
            due = NOW - timedelta(hours=24) + timedelta(hours=2 * n)
            item = {
                "key": "triage-attribution", "title": f"Triage {n:03d}", "role": SUPERVISOR_ROLE,
                "assignee": None, "deadline": due.isoformat(),
            }  # fmt: skip
            case = owned_case(f"ack-case-NM-B{owed - n:03d}", stage="triage-attribution",
                              assignee=None, assigned_role=SUPERVISOR_ROLE, deadline=due,
                              detail={"open": [item]})  # fmt: skip
            session.add(case)
            await sync_open_obligations(session, case, case.detail)
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1",
                        temporal_address=f"127.0.0.1:{free_port()}")  # fmt: skip

    async def clock() -> datetime:
        return NOW

    api.app.state.clock = clock
    return api
