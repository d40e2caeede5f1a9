"""``GET /escalations``: open breaches (missed deadlines not yet met) and their level, a page at
a time (keyset: the cursor names the last row's place, so a deep page costs what the first
does)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep
from api.guard import GuardedRoute
from api.openapi_errors import NEXT_CURSOR, paged_responses
from api.page_cursor import decode_cursor, encode_cursor
from api.web.api_words import case_href, level_words, review_href, step_title, when_words
from store.breaches import PAGE, BreachAfter, open_breaches
from store.tables import Case

router = APIRouter(tags=["escalations"], route_class=GuardedRoute)

CURSOR_HELP = (
    f"where to continue: the {NEXT_CURSOR} header of the previous page (absent: the first "
    "page). Opaque; it keeps the list's order (first escalated first, then case ID and step)"
)


class OpenBreach(BaseModel):
    """A step (or pathway obligation) past its deadline; level 1 its role, 2 + the example's
    director, 3 + the board; resolved once the step is done."""

    kind: Literal["review", "case"] = Field(
        description="a review's missed 'mark reviewed' (case_id is then the review ID) or a case's"
    )
    case_id: str
    step: str
    deadline: datetime
    level: int
    escalated_at: datetime
    # The same in words, as the staff pages show them (added for the dashboard)
    reference: str = Field("", description="the case's report reference (a review: its ID)")
    step_title: str = ""
    deadline_words: str = ""
    level_words: str = ""
    href: str = Field("", description="the case's (or review's) staff page")


def breach_cursor(after: BreachAfter) -> str:
    """The opaque position after a row (its first escalation, case ID, step)."""
    return encode_cursor(after.first_at, after.case_id, after.step)


def read_breach_cursor(text: str) -> BreachAfter:
    """A cursor back to the place it names; a field-level 422 if it is not one we gave."""
    first_at, (case_id, step) = decode_cursor(
        text, 2, f"not a cursor from the {NEXT_CURSOR} header"
    )
    return BreachAfter(first_at, case_id, step)


async def _cases_of(
    session: AsyncSession, ids: set[str]
) -> dict[str, tuple[str, str | None, str | None]]:
    """Case ID → (report reference, example, assigned role), for the rows' words (one query)."""
    if not ids:
        return {}
    query = select(Case.case_id, Case.reference, Case.example, Case.assigned_role)
    found = await session.execute(query.where(Case.case_id.in_(sorted(ids))))
    return {case_id: (reference, example, role) for case_id, reference, example, role in found}


@router.get("/escalations", responses=paged_responses())
async def escalations(
    session: SessionDep,
    _actor: Authorized,
    now: Now,
    settings: SettingsDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=PAGE, description="open breaches per page")] = PAGE,
    cursor: Annotated[str | None, Query(max_length=400, description=CURSOR_HELP)] = None,
) -> list[OpenBreach]:
    """Open breaches, one per case and obligation, at their latest level, oldest first
    escalated first: one page of ``limit`` (500 unless fewer are asked for), the next page's
    cursor in the Next-Cursor header (absent on the last page)."""
    after = read_breach_cursor(cursor) if cursor else None
    rows = await open_breaches(session, after, limit + 1)
    if len(rows) > limit:
        rows = rows[:limit]
        response.headers[NEXT_CURSOR] = breach_cursor(rows[-1]["after"])
    cases = await _cases_of(session, {row["case_id"] for row in rows if row["kind"] == "case"})
    out = []
    for row in rows:
        breach = OpenBreach.model_validate(row)
        reference, example, role = cases.get(breach.case_id, (breach.case_id, None, None))
        is_case = breach.kind == "case"
        words = {
            "reference": reference,
            "step_title": step_title(breach.step),
            "deadline_words": when_words(breach.deadline, settings),
            "level_words": level_words(breach.level, breach.deadline, now, example, role),
            "href": case_href(breach.case_id) if is_case else review_href(breach.case_id),
        }
        out.append(breach.model_copy(update=words))
    return out
