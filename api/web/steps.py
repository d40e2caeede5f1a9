"""Doing a step on a page: show it, submit its form (a receipt, or the form again with the
reasons), open a document from the form. What the page shows: ``api.web.step_view``.

The posted form is read into the step's own model, then submitted through the same code as
``POST /cases/{id}/steps/{step}`` (``api.case_actions.submit_step``); its hidden
Idempotency-Key becomes the Update ID, so a double click or a retried post applies once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from temporalio.client import Client

from api import case_actions
from api.authz import Authorized
from api.deps import Actor, TemporalDep
from api.errors import ApiError, NotFound
from api.web.case_view import load_case, refused_post, staff_names
from api.web.document_view import person_ids, to_node
from api.web.form_errors import refused_detail
from api.web.plain_errors import plain_field_errors
from api.web.session import CsrfChecked
from api.web.step_form import posted_values, read_form, unstorable_errors
from api.web.step_view import KEY_FIELD, OPEN_FIELD, may_act, step_page
from api.web.words import humanize, role_label
from domain.examples import STEP_SPECS
from domain.steps import StepSpec

router = APIRouter(prefix="/app/cases", include_in_schema=False)


def _spec(step: str) -> StepSpec:
    spec = STEP_SPECS.get(step)
    if spec is None:
        raise NotFound(f"no step {step!r}")
    return spec


@router.get("/{case_id}/steps/{step}", response_class=HTMLResponse)
async def show_step(case_id: str, step: str, request: Request, actor: Authorized) -> HTMLResponse:
    """The page where a step is done (or shown, to someone who does not hold its role)."""
    spec = _spec(step)
    page = await load_case(request, actor, case_id)
    if page.case.example != spec.example:
        raise NotFound(f"case {case_id} has no step {step!r}")
    return await step_page(request, page, spec)


@router.post("/{case_id}/steps/{step}", dependencies=[CsrfChecked], response_model=None)
async def submit_step(
    case_id: str, step: str, request: Request, actor: Authorized, temporal: TemporalDep
) -> Response:
    """Submit the form: a receipt (303) when accepted, else the form again with the reasons."""
    spec = _spec(step)
    form = await request.form()
    posted = posted_values(form)
    key = str(form.get(KEY_FIELD) or "") or str(uuid.uuid4())
    tz = request.app.state.settings.timezone
    document = form.get(OPEN_FIELD)
    if isinstance(document, str) and document:
        return await _open_in_form(request, actor, temporal, spec, case_id, document, posted)
    page = await load_case(request, actor, case_id)
    errors = unstorable_errors(posted)
    if not errors:
        try:
            body = spec.fields.model_validate(read_form(spec.fields, form, tz))
        except ValidationError as exc:
            errors = plain_field_errors(exc)
    if errors:
        return await step_page(request, page, spec, posted=posted, errors=errors, status=422)
    try:
        await case_actions.submit_step(request.app, temporal, actor, spec, case_id, body, key)
    except ApiError as exc:
        page = await load_case(request, actor, case_id)
        return await step_page(
            request,
            page,
            spec,
            posted=posted,
            errors=exc.errors,
            detail=refused_detail(exc),  # one summary, whichever check refused the form
            status=exc.status_code,
        )
    target = f"/app/cases/{case_id}/receipts/{spec.slug}?key={quote(key)}"
    return RedirectResponse(target, status_code=303)


STEP_POST = "/app/cases/{case_id}/steps/{step}"


async def refused_step(request: Request, exc: ApiError) -> Response | None:
    """The step's page again, saying why, for a 403 on its submission (a person without the
    step's role, or a form whose session token expired); None when that cannot be shown."""
    route = request.scope.get("route")
    if (
        exc.status_code != 403
        or request.method != "POST"
        or getattr(route, "path", "") != STEP_POST
    ):
        return None
    spec = STEP_SPECS.get(str(request.path_params.get("step", "")))
    if spec is None:
        return None
    refused = await refused_post(request)
    if refused is None:
        return None
    actor, page, posted = refused
    detail = exc.detail
    if not may_act(page, spec):
        who = f"the {role_label(spec.role)}" if spec.role else "the pathway's named owner"
        detail = f"only {who} records this step; you are signed in as {actor.display_name}."
    return await step_page(request, page, spec, posted=posted, detail=detail, status=403)


async def _open_in_form(
    request: Request,
    actor: Actor,
    temporal: Client,
    spec: StepSpec,
    case_id: str,
    document: str,
    posted: Mapping[str, Sequence[str]],
) -> HTMLResponse:
    """An Open button of the step form: record the opening (as the API does), then the step's
    page again with everything typed so far and the document shown beside the form."""
    if document not in spec.prerequisites:
        raise NotFound(f"{humanize(document)} is not a document of this step")
    body = await case_actions.open_document(request.app, temporal, actor, case_id, document)
    page = await load_case(request, actor, case_id)
    tz = request.app.state.settings.timezone
    typed = {k: v for k, v in posted.items() if k != OPEN_FIELD}
    names = await staff_names(request, person_ids(body))
    shown = (humanize(document), to_node(body, tz, top=True, names=names))
    return await step_page(request, page, spec, posted=typed, shown=shown)
