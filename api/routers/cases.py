"""Cases: list and read them (governance view, or the reporting worker's minimal view)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel

from api.authz import Admitted, Authorized
from api.case_actions import get_case
from api.clock import Now
from api.deps import SessionDep, SettingsDep, get_temporal
from api.errors import ApiError
from api.guard import GuardedRoute
from api.openapi_errors import NEXT_CURSOR, paged_responses
from api.page_cursor import decode_cursor, encode_cursor
from api.policy import Relationship
from api.temporal_calls import query
from api.web.api_words import case_href, left_words, level_words, step_title, when_words
from api.web.event_words import event_words, people_in
from config.settings import Settings
from domain import names
from domain.cases import CaseState
from store.cases import case_events, list_cases
from store.staff import staff_names
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
    # The same in words, as the staff pages show them (the dashboard's; empty where not given).
    # Only the dashboard (api/static/dashboard.js) reads them, yet every caller pays for them:
    # about ten times a bare row's cost (time_left walks working time per deadline). Left on
    # for all: they are documented fields of the API's JSON; an opt-in would change it.
    step_title: str = ""
    deadline_words: str = ""
    time_left_words: str = ""
    level_words: str = ""
    href: str = ""


class TimelineEntry(BaseModel):
    at: datetime
    kind: str
    at_words: str = ""  # the provider's local time, as the staff pages show it
    actor: str
    detail: dict[str, Any]
    what_words: str = ""  # the event as a sentence, as the case page shows it
    actor_words: str = ""  # the actor's name from the staff directory ("Name (ID)")


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


def summary(
    case: Case, settings: Settings | None = None, now: datetime | None = None
) -> CaseSummary:
    """The projection row as the API shows it; with ``settings`` and ``now``, in words too."""
    out = CaseSummary.model_validate(case, from_attributes=True)
    if settings is None or now is None:
        return out
    is_open = case.status == "open"
    return out.model_copy(
        update={
            "step_title": step_title(case.stage),
            "deadline_words": when_words(case.deadline, settings),
            "time_left_words": left_words(case.deadline, now, settings) if is_open else "",
            "level_words": level_words(
                case.escalation_level, case.deadline, now, case.example, case.assigned_role
            )
            if is_open
            else "",
            "href": case_href(case.case_id),
        }
    )


CURSOR_HELP = (
    f"where to continue: the {NEXT_CURSOR} header of the previous page (absent: the first "
    "page). Opaque; it keeps the filters' order (newest first, ties by case ID), so a deep page "
    "costs what the first one does"
)


def page_cursor(case: Case) -> str:
    """The opaque position after ``case`` in the list's order (opened_at, case ID, descending)."""
    return encode_cursor(case.opened_at, case.case_id)


def read_cursor(text: str) -> tuple[datetime, str]:
    """A cursor back to (opened_at, case ID); a field-level 422 if it is not one we gave."""
    opened, (case_id,) = decode_cursor(text, 1, f"not a cursor from the {NEXT_CURSOR} header")
    return opened, case_id


@router.get(
    "",
    responses=paged_responses(),
)
async def cases(
    session: SessionDep,
    _actor: Authorized,
    now: Now,
    settings: SettingsDep,
    response: Response,
    example: str | None = None,
    stage: str | None = None,
    exposure: str | None = None,
    overdue: Annotated[bool, Query(description="open cases past their next deadline")] = False,
    limit: Annotated[int, Query(ge=1, le=500, description="cases per page")] = 500,
    cursor: Annotated[str | None, Query(max_length=400, description=CURSOR_HELP)] = None,
) -> list[CaseSummary]:
    """Cases, most recently opened first (ties by case ID), filtered by example, stage,
    exposure, overdue; one page of ``limit``, the next one's cursor in the Next-Cursor header."""
    rows = await list_cases(
        session,
        example=example,
        stage=stage,
        exposure=exposure,
        overdue_at=now if overdue else None,
        after=read_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    if len(rows) > limit:
        rows = rows[:limit]
        response.headers[NEXT_CURSOR] = page_cursor(rows[-1])
    return [summary(row, settings, now) for row in rows]


@router.get(
    "/{case_id}",
    response_model=CaseDetail | WorkerCaseView,
    responses={404: {"description": "no such case, or not one the caller may see"}},
)
async def case_detail(
    case_id: str,
    request: Request,
    session: SessionDep,
    access: Admitted,
    now: Now,
    settings: SettingsDep,
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
        who = await staff_names(session, people_in(events))
        return CaseDetail(
            **summary(case, settings, now).model_dump(),
            employee_id=case.employee_id,
            timeline=[
                TimelineEntry(
                    at=e.at,
                    at_words=when_words(e.at, settings),
                    kind=e.kind,
                    actor=e.actor,
                    detail=e.detail,
                    what_words=event_words(e, who, live, settings.timezone),
                    actor_words=who.get(e.actor, e.actor),
                )
                for e in events
            ],
            live=live,
            live_unavailable=unavailable,
        )
    return WorkerCaseView.model_validate(case, from_attributes=True)
