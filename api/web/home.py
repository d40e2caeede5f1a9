"""The home page: what the signed-in person owes now ("my work")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep
from api.web.render import render
from api.web.words import role_label
from api.web.work_rows import work_rows
from domain.roles import GOVERNANCE_ROLES

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def my_work(
    request: Request, actor: Authorized, session: SessionDep, settings: SettingsDep, now: Now
) -> HTMLResponse:
    """Everything the signed-in person owes now, sorted by due."""
    rows = await work_rows(session, actor, now, settings)
    context = {
        "actor": actor,
        "rows": rows,
        "overdue": sum(1 for row in rows if row.css == "overdue"),
        "roles": [role_label(role) for role in sorted(actor.roles)],
        "governance": bool(actor.roles & GOVERNANCE_ROLES),
    }
    return render(request, "my_work.html", context)
