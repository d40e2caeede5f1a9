"""Reassigning a pathway whose named owner is absent, shared by the API route and the page.

The administrator names a current member of staff and a reason; the workflow records the change
in the example's pathway log, moves the open acceptance and actions to the new owner (deadlines
unchanged) and mails both owners.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pydantic import BaseModel, Field
from temporalio.client import Client

from api.case_actions import open_case, owner_refusal
from api.clock import app_now
from api.deps import Actor
from api.errors import FieldError, Unprocessable
from api.idempotency import keyed_update
from api.temporal_calls import case_actor
from domain import names
from domain.cases import CaseState, PathwayReassignment
from store.db import transaction
from store.staff import get_staff


class NewOwner(BaseModel):
    """Who owns the pathway from now, and why it changes hands."""

    new_owner: Annotated[str, Field(min_length=1, max_length=64, description="employee ID")]
    reason: Annotated[
        str, Field(min_length=1, max_length=2_000, description="e.g. long-term absence")
    ]


async def reassign_pathway(
    app: FastAPI, temporal: Client, actor: Actor, case_id: str, body: NewOwner, key: str | None
) -> CaseState:
    """404 no case, 409 closed or no owner yet, 422 new owner not current staff; else done."""
    case = await open_case(app, case_id)
    today = (await app_now(app)).astimezone(ZoneInfo(app.state.settings.timezone)).date()
    async with transaction(app.state.sessions) as session:
        member = await get_staff(session, body.new_owner)
    if message := owner_refusal(member, body.new_owner, today, case):
        raise Unprocessable("invalid fields", [FieldError(field="new_owner", message=message)])
    change = PathwayReassignment(
        actor=case_actor(actor), new_owner=body.new_owner, reason=body.reason
    )
    return await keyed_update(
        app,
        temporal,
        case_id,
        names.UPDATE_REASSIGN_PATHWAY,
        change,
        result_type=CaseState,
        key=key,
    )
