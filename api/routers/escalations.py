"""``GET /escalations``: open breaches (missed deadlines not yet met) and their level."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.authz import Authorized
from api.deps import SessionDep
from api.guard import GuardedRoute
from store.breaches import open_breaches

router = APIRouter(tags=["escalations"], route_class=GuardedRoute)


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


@router.get("/escalations")
async def escalations(session: SessionDep, _actor: Authorized) -> list[OpenBreach]:
    """Open breaches, one per case and obligation, at their latest level (oldest first)."""
    return [OpenBreach.model_validate(row) for row in await open_breaches(session)]
