"""The administrator's pages: every open pathway with its named owner (filtered and paged by
case ID in SQL), the ones waiting on an absent owner first, each reassignable with a reason;
and roles that steps need but nobody currently holds."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import app_now
from api.deps import SessionDep, TemporalDep
from api.errors import ApiError, NotFound
from api.pathway_owner import NewOwner, reassign_pathway
from api.web.render import local_date, render
from api.web.session import CsrfChecked
from api.web.words import EXAMPLE_TITLES, humanize, role_label
from domain.mail_words import case_words
from store.cases import case_events
from store.pathways import OwnedPathway, absent_owner_pathways, open_pathway, open_pathway_page
from store.staff import list_staff, staff_names
from store.tables import Case
from store.vacancies import vacant_roles

router = APIRouter(prefix="/app/admin", include_in_schema=False)
PAGE = 25  # open pathways listed a page at a time


def owner_state(p: OwnedPathway, today: date) -> str:
    """The named owner's standing in the staff directory, in words."""
    if p.owner is None:
        return "not in the staff directory"
    if not p.owner.active:
        return "inactive"
    if p.owner.left_at is not None and p.owner.left_at <= today:
        return f"left {local_date(p.owner.left_at)}"
    leaves = f", leaves {local_date(p.owner.left_at)}" if p.owner.left_at else ""
    return f"active{leaves}"


async def _today(request: Request) -> date:
    zone = ZoneInfo(request.app.state.settings.timezone)
    return (await app_now(request.app)).astimezone(zone).date()


async def _page(
    request: Request,
    session: AsyncSession,
    notice: str = "",
    *,
    wanted: str = "",
    after: str | None = None,
    before: str | None = None,
) -> HTMLResponse:
    today = await _today(request)
    page = await open_pathway_page(session, wanted=wanted, after=after, before=before, size=PAGE)
    absent = await absent_owner_pathways(session, today)
    vacant = await vacant_roles(session, today)
    context = {
        "absent": [(p, owner_state(p, today)) for p in absent],
        "shown": [(p, owner_state(p, today)) for p in page.shown],
        "total": page.total,
        "first": page.first,
        "wanted": wanted,
        "previous": page.before,
        "next": page.after,
        "vacant": [role_label(role) for role in vacant],
        "titles": EXAMPLE_TITLES,
        "humanize": humanize,
        "notice": notice,
        "page_size": PAGE,
    }
    return render(request, "admin_pathways.html", context)


@router.get("/pathways", response_class=HTMLResponse)
async def pathways_page(
    request: Request,
    _actor: Authorized,
    session: SessionDep,
    done: str = "",
    q: Annotated[str, Query(max_length=100)] = "",
    after: Annotated[str | None, Query(max_length=160)] = None,
    before: Annotated[str | None, Query(max_length=160)] = None,
) -> HTMLResponse:
    """Every open pathway and its named owner (absent owners' first), each to reassign; a page
    at a time by case ID (AFTER or BEFORE a case ID: keyset paging)."""
    notice = await _done_words(session, done) if done else ""
    return await _page(request, session, notice, wanted=q.strip(), after=after, before=before)


async def _done_words(session: AsyncSession, case_id: str) -> str:
    """What the last reassignment of CASE_ID did, in names: the page's notice after it."""
    events = [e for e in await case_events(session, case_id) if e.kind == "pathway_reassigned"]
    if not events:
        return ""
    last = events[-1].detail or {}
    ids = {str(last.get("from") or ""), str(last.get("to") or "")}
    names = await staff_names(session, ids)
    case = await session.get(Case, case_id)
    about = case_words(case_id, case.reference) if case else case_id
    before, after = (names.get(str(last.get(k)), str(last.get(k))) for k in ("from", "to"))
    return f"Pathway of {about} reassigned from {before} to {after}; both have been mailed."


async def _form(
    request: Request,
    session: AsyncSession,
    case_id: str,
    errors: dict[str, str] | None = None,
    asked: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    today = await _today(request)
    p = await open_pathway(session, case_id)
    if p is None:
        raise NotFound(f"no open pathway with a named owner on case {case_id!r}")
    staff = [
        m for m in await list_staff(session) if m.is_current(today) and m.employee_id != p.owner_id
    ]
    context: dict[str, Any] = {
        "p": p,
        "state": owner_state(p, today),
        "choices": [(m.employee_id, f"{m.display_name} ({m.employee_id})") for m in staff],
        "titles": EXAMPLE_TITLES,
        "humanize": humanize,
        "errors": errors or {},
        "asked": asked or {},
        "key": str(uuid.uuid4()),
    }
    return render(request, "admin_reassign.html", context, status=status)


@router.get("/pathways/{case_id}/owner", response_class=HTMLResponse)
async def reassign_page(
    case_id: str, request: Request, _actor: Authorized, session: SessionDep
) -> HTMLResponse:
    """One open pathway, its named owner, and the form to hand it to someone else."""
    return await _form(request, session, case_id)


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
    """Reassign (as ``POST /cases/{id}/pathway/owner``); the form again with the reasons if
    not."""
    errors = {}
    asked = {"new_owner": new_owner, "reason": reason}
    if not new_owner:
        errors["new_owner"] = "Choose who owns the pathway from now."
    if not reason.strip():
        errors["reason"] = "Say why the pathway changes hands (it is recorded)."
    if errors:
        return await _form(request, session, case_id, errors, asked, status=422)
    body = NewOwner(new_owner=new_owner, reason=reason.strip())
    key = idempotency_key or str(uuid.uuid4())
    try:
        await reassign_pathway(request.app, temporal, actor, case_id, body, key)
    except ApiError as exc:
        found = {e["field"]: e["message"] for e in exc.errors} or {"form": str(exc.detail)}
        # SESSION's first read is here, after the update: it sees what the update wrote.
        return await _form(request, session, case_id, found, asked, status=exc.status_code)
    return RedirectResponse(f"/app/admin/pathways?done={case_id}", status_code=303)
