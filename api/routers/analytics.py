"""Retention analytics for governance roles, inspectors and the board."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ReaderActor, SessionDep
from api.errors import FieldError, Unprocessable
from store.analytics import Grouping, acknowledgment_trends

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get("/acknowledgment")
async def acknowledgment(
    session: SessionDep,
    _actor: ReaderActor,
    start: Annotated[date, Query(alias="from", description="first review date")],
    end: Annotated[date, Query(alias="to", description="last review date")],
    group: Grouping = "service_line",
) -> list[dict[str, Any]]:
    """Per review date and group: reports, classifications, threshold breaches, reports with no
    named triage owner, median minutes to first acknowledgment and to triage."""
    if end < start:
        raise Unprocessable("invalid range", [FieldError(field="to", message="before `from`")])
    return await acknowledgment_trends(session, group, start, end)
