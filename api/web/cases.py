"""The case page (the case in words, its history, links to what is open now) and its documents.

Opening a document from a page records the opening exactly as
``POST /cases/{id}/documents/{document}/open`` does (``api.case_actions.open_document``), then
shows it as a readable page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import case_actions
from api.authz import Authorized
from api.deps import SessionDep, TemporalDep
from api.temporal_calls import case_actor
from api.web.case_view import (
    CasePage,
    WorkerOwnCase,
    history,
    load_case,
    open_rows,
    staff_names,
)
from api.web.document_view import person_ids, to_node
from api.web.render import local_time, render
from api.web.session import CsrfChecked, safe_next
from api.web.words import EXAMPLE_TITLES, exposure_words, humanize, waiting_words
from domain.mail_words import about, capital, case_words
from domain.openings import may_open, refusal
from domain.roles import GOVERNANCE_ROLES

router = APIRouter(prefix="/app/cases", include_in_schema=False)
WORKER_VIEW = "/app/my-reports"  # the reporting worker's own view of their reports (webworker)


@router.get("/{case_id}", response_model=None)
async def case_page(case_id: str, request: Request, actor: Authorized) -> Response:
    """The case in words: report, service line, exposure, stage, open steps, history.
    The reporting worker is sent to their own view of it (My reports)."""
    try:
        page = await load_case(request, actor, case_id, worker_view=True)
    except WorkerOwnCase:
        return RedirectResponse(WORKER_VIEW, status_code=303)
    tz = request.app.state.settings.timezone
    events = await history(request, page, tz)
    case = page.case
    facts = [
        ("Case", capital(case_words(case.case_id, case.reference))),
        ("Process", EXAMPLE_TITLES.get(case.example, case.example)),
        ("Worker's service line", case.service_line),
        ("Exposure", exposure_words(case.exposure)),
        ("Stage", humanize(page.live.stage if page.live else case.stage)),
        ("Status", case.status),
        # as its history says it ("Case opened."), a few seconds after the decision to open it
        ("Opened", local_time(page.opened_event_at or case.opened_at, tz)),
        ("Review", capital(about(case.review_id))),
    ]
    if page.live is not None and page.live.pathway_owner:
        owner = page.live.pathway_owner
        facts.append(("Pathway owner", page.names.get(owner, owner)))
    stage, computed = (page.live.stage, page.live.computed) if page.live else (case.stage, None)
    if waiting := waiting_words(stage, case.example, computed):
        facts.append(("Waiting for", waiting))
    if case.closed_at is not None:
        facts.append(("Closed", local_time(case.closed_at, tz)))
    context = {
        "page": page,
        "facts": facts,
        "rows": open_rows(page, tz),
        "events": events,
        "may_read_review": bool(actor.roles & GOVERNANCE_ROLES),
    }
    return render(request, "case.html", context)


@router.post("/{case_id}/documents/{document}/open", dependencies=[CsrfChecked])
async def open_document(
    case_id: str,
    document: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    back: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Record the opening (as the API does), then show the document."""
    await case_actions.open_document(request.app, temporal, actor, case_id, document)
    target = f"/app/cases/{case_id}/documents/{document}"
    if back:
        target += f"?back={safe_next(back)}"
    return RedirectResponse(target, status_code=303)


def _why_not(page: CasePage, document: str) -> str:
    """Why the signed-in person may not open ``document`` now ("" when they may)."""
    if page.live is None:
        return "Its live state cannot be read just now, so it cannot be opened; try again shortly."
    verdict = may_open(page.live, case_actor(page.actor), document)
    reason = refusal(verdict, document)
    return capital(reason) + "." if reason else ""


@router.get("/{case_id}/documents/{document}", response_class=HTMLResponse)
async def document_page(
    case_id: str,
    document: str,
    request: Request,
    session: SessionDep,
    actor: Authorized,
    back: str = "",
) -> HTMLResponse:
    """A document the signed-in person has opened, as tables and labels; else its Open button."""
    page = await load_case(request, actor, case_id)
    tz = request.app.state.settings.timezone
    opened = document in page.opened
    body = None
    if opened:
        body = await case_actions.read_document(session, page.case, document)
    context = {
        "page": page,
        "document": document,
        "title": humanize(document),
        "opened": opened,
        "why_not": "" if opened else _why_not(page, document),
        "tree": to_node(body, tz, top=True, names=await staff_names(request, person_ids(body)))
        if body is not None
        else None,
        "back": safe_next(back or f"/app/cases/{case_id}"),
    }
    return render(request, "document.html", context)
