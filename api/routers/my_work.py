"""``GET /me/work``: what the caller owes, counted by how soon it is due, and a page of it, most
urgent first (the home page's case steps and actions, for an API client)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep
from api.guard import GuardedRoute
from api.openapi_errors import NEXT_CURSOR, paged_responses
from api.owed_cursor import due_bands, owed_cursor, read_owed_cursor
from store.my_work import BANDS, COUNT_CAP, PAGE, breach_levels, case_obligations, owed_counts

router = APIRouter(tags=["my work"], route_class=GuardedRoute)


class OwedCount(BaseModel):
    """How many open case obligations the caller owes, by how soon they are due. Each band is
    counted up to ``cap``: one past it is given as the cap and named in ``more_than`` (with
    ``total``), so the counts cost the same however much is owed."""

    total: int
    overdue: int
    due_today: int
    due_within_7_days: int
    later: int
    cap: int = Field(description="each band is counted up to this many")
    more_than: list[Literal["total", "overdue", "due_today", "due_within_7_days", "later"]] = Field(
        description="the counts that are past the cap: there are more than the figure given"
    )


API_BANDS = {"total": "total", "overdue": "overdue", "today": "due_today",
             "week": "due_within_7_days", "later": "later"}  # fmt: skip


class Owed(BaseModel):
    """One open obligation of a case that the caller owes (by name, or by one of their roles)."""

    case_id: str
    reference: str
    example: str
    exposure: str
    service_line: str
    key: str
    title: str
    role: str | None
    deadline: datetime
    escalation_level: int


class MyWork(BaseModel):
    counts: OwedCount
    obligations: list[Owed]


@router.get(
    "/me/work",
    responses=paged_responses(),
)
async def my_work(
    session: SessionDep,
    actor: Authorized,
    settings: SettingsDep,
    now: Now,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500, description="obligations per page")] = PAGE,
    cursor: Annotated[
        str | None, Query(max_length=400, description="the Next-Cursor of the previous page")
    ] = None,
) -> MyWork:
    """The caller's open case obligations, most urgent first (by deadline; a pathway's
    acceptance before the actions waiting for it), ``limit`` a page, the next page's cursor in
    the Next-Cursor header; with the counts of all of them (overdue, due today, within 7 days)."""
    after = read_owed_cursor(cursor) if cursor else None
    owed = await case_obligations(session, actor.employee_id, actor.roles, after, limit + 1)
    if len(owed) > limit:
        owed = owed[:limit]
        response.headers[NEXT_CURSOR] = owed_cursor(owed[-1])
    levels = await breach_levels(session, [o.case.case_id for o in owed])
    counts = await owed_counts(
        session, actor.employee_id, actor.roles, now, due_bands(now, settings)
    )
    more = counts.more | ({"total"} if counts.more else set())
    return MyWork(
        counts=OwedCount(
            total=counts.total,
            overdue=counts.overdue,
            due_today=counts.today,
            due_within_7_days=counts.week,
            later=counts.later,
            cap=COUNT_CAP,
            more_than=[API_BANDS[band] for band in ("total", *BANDS) if band in more],
        ),
        obligations=[
            Owed(
                **o.case._asdict(),
                key=o.key,
                title=o.title,
                role=o.role,
                deadline=o.deadline,
                escalation_level=levels.get((o.case.case_id, o.key), 0),
            )
            for o in owed
        ],
    )
