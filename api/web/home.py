"""The home page: what the signed-in person owes now ("my work")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
from config.settings import Settings
from domain import names
from domain.pack_periods import nearest_cycle_starts
from domain.packs import PACKS
from domain.roles import GOVERNANCE_ROLES, Role
from store.pathways import absent_owner_pathways
from store.vacancies import vacant_roles

router = APIRouter(prefix="/app", include_in_schema=False)
EVIDENCE_DAYS = 90  # the evidence form's default range: the last quarter


def current_packs(settings: Settings, now: datetime) -> list[tuple[str, str]]:
    """Each pack kind's current period as (title, page link)."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    year, week, _ = today.isocalendar()
    cycle, _ = nearest_cycle_starts(today, date.fromisoformat(settings.cycle_anchor))
    periods = {
        names.PACK_WEEKLY: f"{year}-W{week:02d}",
        names.PACK_FORTNIGHTLY: cycle.isoformat() if cycle else "",
        names.PACK_MONTHLY: f"{today:%Y-%m}",
    }
    return [
        (f"{spec.title} {periods[kind]}", f"/app/packs/{kind}/{periods[kind]}")
        for kind, spec in PACKS.items()
        if periods.get(kind)
    ]


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
        "packs": current_packs(settings, now),
        "evidence_to": now.astimezone(ZoneInfo(settings.timezone)).date(),
        "evidence_from": (
            now.astimezone(ZoneInfo(settings.timezone)).date() - timedelta(days=EVIDENCE_DAYS)
        ),
    }
    return render(request, "my_work.html", context)
