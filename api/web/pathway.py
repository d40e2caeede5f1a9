"""The named owner's pages: accept the pathway, mark each of its actions done.

Both go through the same code as the API (``api.case_actions``); the action's note form is
generated from the API's own body model (``ActionNote``). A hidden Idempotency-Key per rendered
form makes a double click apply once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api import case_actions
from api.authz import Authorized
from api.case_actions import ActionNote
from api.deps import TemporalDep
from api.errors import ApiError, FieldError
from api.web.case_view import (
    CasePage,
    history,
    load_case,
    open_rows,
    refused_post,
    staff_names,
)
from api.web.document_view import person_ids, to_node
from api.web.form_errors import errors_by_control, marked_fields, refused_detail
from api.web.plain_errors import plain_field_errors
from api.web.render import render
from api.web.session import CsrfChecked
from api.web.step_form import (
    Control,
    FormContext,
    build_controls,
    posted_values,
    read_form,
    unstorable_errors,
)
from api.web.words import escalation_words, readable_errors
from domain.examples import STEP_SPECS

router = APIRouter(prefix="/app/cases", include_in_schema=False)
KEY_FIELD = "idempotency_key"
ACCEPTANCE = "pathway-acceptance"


def _pathway(page: CasePage) -> dict[str, object] | None:
    """The authorized pathway as its step recorded it."""
    if page.live is None:
        return None
    for slug, result in page.live.results.items():
        spec = STEP_SPECS.get(slug)
        if spec is not None and slug.endswith("-pathway"):
            return result
    return None


async def _page(
    request: Request,
    page: CasePage,
    key: str,
    *,
    posted: Mapping[str, Sequence[str]] | None = None,
    errors: Sequence[FieldError] = (),
    detail: str = "",
    status: int = 200,
) -> HTMLResponse:
    tz = request.app.state.settings.timezone
    events = await history(request, page, tz)
    ob = page.live.obligations.get(key) if page.live else None
    ctx = FormContext(posted=posted or {})
    controls: list[Control] = []
    summary: Sequence[FieldError] = errors
    if key != ACCEPTANCE:
        placed, summary = errors_by_control(build_controls(ActionNote, ctx), errors)
        ctx.errors = placed
        controls = list(build_controls(ActionNote, ctx))
    pathway = _pathway(page)
    # Actions open with the pathway (their deadlines are the director's, from authorization)
    # but are done only once the named owner has accepted it.
    unaccepted = key != ACCEPTANCE and page.live is not None and not page.live.pathway_accepted_at
    context = {
        "page": page,
        "what": key,
        "obligation": ob,
        "state": escalation_words(ob.level, ob.deadline, page.now, example=page.case.example)
        if ob and ob.done_at is None
        else "",
        "may_act": page.is_owner and ob is not None and ob.done_at is None and not unaccepted,
        "unaccepted": unaccepted,
        "pathway": to_node(
            pathway, tz, names=page.names | await staff_names(request, person_ids(pathway))
        )
        if pathway
        else None,
        "controls": controls,
        "rows": open_rows(page, tz),
        "events": events,
        "key_field": KEY_FIELD,
        "key": str(uuid.uuid4()),
        "detail": detail,
        "marked": marked_fields(controls),
        "summary": readable_errors(summary),
        "status": status,
    }
    return render(request, "pathway.html", context, status=status)


@router.get("/{case_id}/pathway/accept", response_class=HTMLResponse)
async def acceptance_page(case_id: str, request: Request, actor: Authorized) -> HTMLResponse:
    """The authorized pathway and an Accept button for its named owner."""
    page = await load_case(request, actor, case_id)
    return await _page(request, page, ACCEPTANCE)


@router.post("/{case_id}/pathway/accept", dependencies=[CsrfChecked], response_model=None)
async def accept(
    case_id: str, request: Request, actor: Authorized, temporal: TemporalDep
) -> Response:
    """Accept the pathway: the receipt (303), or the page again with the reason."""
    form = await request.form()
    key = str(form.get(KEY_FIELD) or "") or str(uuid.uuid4())
    try:
        await case_actions.accept_pathway(request.app, temporal, actor, case_id, key)
    except ApiError as exc:
        page = await load_case(request, actor, case_id)
        return await _page(request, page, ACCEPTANCE, detail=exc.detail, status=exc.status_code)
    return RedirectResponse(f"/app/cases/{case_id}/receipts/{ACCEPTANCE}", status_code=303)


@router.get("/{case_id}/pathway/actions/{action}", response_class=HTMLResponse)
async def action_page(
    case_id: str, action: str, request: Request, actor: Authorized
) -> HTMLResponse:
    """One pathway action, its deadline, and the form to mark it done."""
    page = await load_case(request, actor, case_id)
    return await _page(request, page, f"action:{action}")


@router.post("/{case_id}/pathway/actions/{action}", dependencies=[CsrfChecked], response_model=None)
async def action_done(
    case_id: str, action: str, request: Request, actor: Authorized, temporal: TemporalDep
) -> Response:
    """Mark the action done: the receipt (303), or the form again with the reasons."""
    form = await request.form()
    posted = posted_values(form)
    key = str(form.get(KEY_FIELD) or "") or str(uuid.uuid4())
    tz = request.app.state.settings.timezone
    what = f"action:{action}"
    try:
        if unstorable := unstorable_errors(posted):
            page = await load_case(request, actor, case_id)
            return await _page(request, page, what, posted=posted, errors=unstorable, status=422)
        note = ActionNote.model_validate(read_form(ActionNote, form, tz))
        await case_actions.complete_action(
            request.app, temporal, actor, case_id, action, note.note, key
        )
    except ValidationError as exc:
        page = await load_case(request, actor, case_id)
        errors = plain_field_errors(exc)
        return await _page(request, page, what, posted=posted, errors=errors, status=422)
    except ApiError as exc:
        page = await load_case(request, actor, case_id)
        return await _page(
            request,
            page,
            what,
            posted=posted,
            errors=exc.errors,
            detail=refused_detail(exc),
            status=exc.status_code,
        )
    return RedirectResponse(f"/app/cases/{case_id}/receipts/{what}", status_code=303)


ACCEPT_POST = "/app/cases/{case_id}/pathway/accept"
ACTION_POST = "/app/cases/{case_id}/pathway/actions/{action}"


async def refused_pathway(request: Request, exc: ApiError) -> Response | None:
    """The pathway page again, saying why, for a 403 on an acceptance or an action done (someone
    who is not the named owner, or a form whose session token expired); None when that cannot be
    shown (a person who may not see the case at all gets the error page)."""
    path = getattr(request.scope.get("route"), "path", "")
    if exc.status_code != 403 or request.method != "POST" or path not in (ACCEPT_POST, ACTION_POST):
        return None
    what = ACCEPTANCE if path == ACCEPT_POST else f"action:{request.path_params['action']}"
    refused = await refused_post(request)
    if refused is None:
        return None
    actor, page, posted = refused
    detail = exc.detail
    if not page.is_owner:
        owner = page.live.pathway_owner if page.live else None
        name = (await staff_names(request, {owner})).get(owner, owner) if owner else ""
        who = f"{name}, the named owner," if name else "the pathway's named owner"
        detail = f"only {who} records this; you are signed in as {actor.display_name}."
    return await _page(request, page, what, posted=posted, detail=detail, status=403)
