"""The home page: what the signed-in person owes now ("my work")."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep
from api.policy import EVIDENCE_READERS
from api.web.render import render
from api.web.words import role_label
from api.web.work_rows import work_rows
from domain.roles import GOVERNANCE_ROLES, Role
from store.pathways import absent_owner_pathways
from store.vacancies import vacant_roles

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def my_work(
    request: Request, actor: Authorized, session: SessionDep, settings: SettingsDep, now: Now
) -> HTMLResponse:
    """Everything the signed-in person owes now, sorted by due."""
    rows = await work_rows(session, actor, now, settings)
    admin: dict[str, object] = {}
    if Role.ADMINISTRATOR in actor.roles:
        today = now.astimezone(ZoneInfo(settings.timezone)).date()
        admin = {
            "vacant": [role_label(role) for role in await vacant_roles(session, today)],
            "absent": len(await absent_owner_pathways(session, today)),
        }
    context = {
        "admin": admin,
        "actor": actor,
        "rows": rows,
        "overdue": sum(1 for row in rows if row.css == "overdue"),
        "roles": [role_label(role) for role in sorted(actor.roles)],
        "governance": bool(actor.roles & GOVERNANCE_ROLES),
        "evidence": bool(actor.roles & EVIDENCE_READERS),
    }
    return render(request, "my_work.html", context)
