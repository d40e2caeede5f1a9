"""Cases: list and read them (governance view, or the reporting worker's minimal view)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from api.authz import Admitted, Authorized
from api.case_actions import get_case
from api.clock import Now
from api.deps import SessionDep, get_temporal
from api.errors import ApiError
from api.guard import GuardedRoute
from api.policy import Relationship
from api.temporal_calls import query
from domain import names
from domain.cases import CaseState
from store.cases import case_events, list_cases
from store.tables import Case

# The live state is extra: with the worker down a query waits for nobody, so give up quickly and
# answer from the projection.
LIVE_QUERY_TIMEOUT = timedelta(seconds=2)

router = APIRouter(prefix="/cases", tags=["cases"], route_class=GuardedRoute)


class CaseSummary(BaseModel):
    """The case projection (kept current by the workflow's activities)."""

    case_id: str
    example: str
    reference: str
    review_id: str
    service_line: str
    exposure: str
    stage: str
    status: str
    assigned_role: str | None
    assignee: str | None
    deadline: datetime | None
    escalation_level: int
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class TimelineEntry(BaseModel):
    at: datetime
    kind: str
    actor: str
    detail: dict[str, Any]


class CaseDetail(CaseSummary):
    """Governance view: projection, timeline and the workflow's live state (steps, obligations
    with deadlines and escalation levels, computed values, documents opened)."""

    employee_id: str
    timeline: list[TimelineEntry]
    live: CaseState | None
    live_unavailable: str | None = None


class WorkerCaseView(BaseModel):
    """The reporting worker's view of their own case: no other person's identifiers."""

    case_id: str
    reference: str
    stage: str
    status: str
    opened_at: datetime
    closed_at: datetime | None


def summary(case: Case) -> CaseSummary:
    """The projection row as the API shows it."""
    return CaseSummary.model_validate(case, from_attributes=True)


@router.get("")
async def cases(
    session: SessionDep,
    _actor: Authorized,
    now: Now,
    example: str | None = None,
    stage: str | None = None,
    exposure: str | None = None,
    overdue: Annotated[bool, Query(description="open cases past their next deadline")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> list[CaseSummary]:
    """Cases, most recently opened first, filtered by example, stage, exposure, overdue."""
    rows = await list_cases(
        session,
        example=example,
        stage=stage,
        exposure=exposure,
        overdue_at=now if overdue else None,
        limit=limit,
    )
    return [summary(row) for row in rows]


@router.get(
    "/{case_id}",
    response_model=CaseDetail | WorkerCaseView,
    responses={404: {"description": "no such case, or not one the caller may see"}},
)
async def case_detail(
    case_id: str, request: Request, session: SessionDep, access: Admitted
) -> CaseDetail | WorkerCaseView:
    """Governance roles and the pathway's named owner: the full case. The reporting worker: a
    minimal view of their own."""
    case = await get_case(session, case_id)
    if access.by_role or Relationship.NAMED_OWNER in access.relationships:
        live: CaseState | None = None
        unavailable = None
        try:  # the stored case and timeline still answer while Temporal or the worker is down
            temporal = await get_temporal(request)
            live = await query(
                temporal,
                case_id,
                names.QUERY_STATE,
                result_type=CaseState,
                rpc_timeout=LIVE_QUERY_TIMEOUT,
            )
        except (ApiError, HTTPException) as exc:
            unavailable = str(exc.detail)
        events = await case_events(session, case_id)
        return CaseDetail(
            **summary(case).model_dump(),
            employee_id=case.employee_id,
            timeline=[
                TimelineEntry(at=e.at, kind=e.kind, actor=e.actor, detail=e.detail) for e in events
            ],
            live=live,
            live_unavailable=unavailable,
        )
    return WorkerCaseView.model_validate(case, from_attributes=True)
