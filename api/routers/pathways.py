"""The administrator's view of pathways: which wait on a named owner who is no longer here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep, TemporalDep
from api.guard import BodyFieldsRoute
from api.pathway_owner import NewOwner, reassign_pathway
from api.temporal_calls import IdempotencyKey
from domain.cases import CaseState
from store.pathways import absent_owner_pathways

router = APIRouter(tags=["pathways"], route_class=BodyFieldsRoute)


class AbsentOwnerPathway(BaseModel):
    """An open case whose pathway's named owner is unknown, inactive or has left."""

    case_id: str
    example: str
    stage: str
    service_line: str
    owner_id: str
    owner_name: str | None
    why: str


@router.get("/pathways/absent-owners")
async def absent_owners(
    session: SessionDep, settings: SettingsDep, now: Now, _actor: Authorized
) -> list[AbsentOwnerPathway]:
    """Open pathways to reassign: their named owner is not current staff today."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    rows = await absent_owner_pathways(session, today)
    return [
        AbsentOwnerPathway(
            case_id=p.case.case_id,
            example=p.case.example,
            stage=p.case.stage,
            service_line=p.case.service_line,
            owner_id=p.owner_id,
            owner_name=p.owner.display_name if p.owner else None,
            why=(
                "not in the staff directory"
                if p.owner is None
                else "inactive"
                if not p.owner.active
                else f"left on {p.owner.left_at}"
            ),
        )
        for p in rows
    ]


@router.post("/cases/{case_id}/pathway/owner", responses={403: {}, 404: {}, 409: {}, 422: {}})
async def reassign(
    case_id: str,
    body: NewOwner,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> CaseState:
    """Hand an absent named owner's pathway (acceptance, open actions) to a current member of
    staff: recorded in the example's pathway log, mailed to both owners."""
    return await reassign_pathway(request.app, temporal, actor, case_id, body, idempotency_key)
