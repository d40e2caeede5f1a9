"""The administrator's pages: pathways waiting on an absent owner (reassign them) and roles that
steps need but nobody currently holds."""

from __future__ import annotations

import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import app_now
from api.deps import SessionDep, TemporalDep
from api.errors import ApiError
from api.pathway_owner import NewOwner, reassign_pathway
from api.web.render import render
from api.web.session import CsrfChecked
from api.web.words import EXAMPLE_TITLES, humanize, role_label
from store.pathways import absent_owner_pathways
from store.staff import list_staff
from store.vacancies import vacant_roles

router = APIRouter(prefix="/app/admin", include_in_schema=False)


async def _page(
    request: Request,
    session: AsyncSession,
    notice: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = request.app.state.settings
    today = (await app_now(request.app)).astimezone(ZoneInfo(settings.timezone)).date()
    pathways = await absent_owner_pathways(session, today)
    staff = [m for m in await list_staff(session) if m.is_current(today)]
    vacant = await vacant_roles(session, today)
    context = {
        "pathways": pathways,
        "staff": staff,
        "vacant": [role_label(role) for role in vacant],
        "titles": EXAMPLE_TITLES,
        "humanize": humanize,
        "notice": notice,
        "errors": errors or {},
        "key": str(uuid.uuid4()),
    }
    return render(request, "admin_pathways.html", context, status=status)


@router.get("/pathways", response_class=HTMLResponse)
async def pathways_page(
    request: Request, _actor: Authorized, session: SessionDep, done: str = ""
) -> HTMLResponse:
    """Open pathways whose named owner is absent, each with a form to hand it over."""
    notice = f"Pathway of {done} reassigned; both owners have been mailed." if done else ""
    return await _page(request, session, notice)


@router.post("/pathways/{case_id}/owner", dependencies=[CsrfChecked], response_model=None)
async def reassign(
    case_id: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    session: SessionDep,
    new_owner: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=2_000)] = "",
    idempotency_key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Reassign (as ``POST /cases/{id}/pathway/owner``); the list again with the reason if not."""
    errors = {}
    if not new_owner:
        errors["new_owner"] = "Choose who owns the pathway from now."
    if not reason.strip():
        errors["reason"] = "Say why the pathway changes hands (it is recorded)."
    if errors:
        return await _page(request, session, errors=errors | {"case": case_id}, status=422)
    body = NewOwner(new_owner=new_owner, reason=reason.strip())
    key = idempotency_key or str(uuid.uuid4())
    try:
        await reassign_pathway(request.app, temporal, actor, case_id, body, key)
    except ApiError as exc:
        found = {e["field"]: e["message"] for e in exc.errors} or {"form": str(exc.detail)}
        # SESSION's first read is here, after the update: it sees what the update wrote.
        return await _page(
            request, session, errors=found | {"case": case_id}, status=exc.status_code
        )
    return RedirectResponse(f"/app/admin/pathways?done={case_id}", status_code=303)
