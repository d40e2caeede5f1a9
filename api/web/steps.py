"""Doing a step on a page: prerequisites to open, computed values, the form generated from the
step's model, rejections next to their fields, and a receipt.

The posted form is read into the step's own model, then submitted through the same code as
``POST /cases/{id}/steps/{step}`` (``api.case_actions.submit_step``); its hidden
Idempotency-Key becomes the Update ID, so a double click or a retried post applies once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from temporalio.client import Client

from api import case_actions
from api.authz import Authorized
from api.deps import Actor, TemporalDep
from api.errors import ApiError, FieldError, NotFound
from api.web.case_view import (
    CasePage,
    history,
    load_case,
    open_rows,
    refused_post,
    staff_names,
)
from api.web.document_view import person_ids, scalar_text, to_node
from api.web.entry_labels import entry_labels
from api.web.form_errors import errors_by_control
from api.web.owner_options import Groups, owner_groups
from api.web.plain_errors import plain_field_errors
from api.web.render import dates_in_words, local_date, render
from api.web.session import CsrfChecked
from api.web.step_form import (
    Control,
    FormContext,
    build_controls,
    has_evidence,
    posted_values,
    read_form,
    unstorable_errors,
)
from api.web.words import humanize, lower_first, readable_errors, role_label
from domain.cases import Obligation
from domain.examples import STEP_SPECS
from domain.steps import StepSpec
from store.db import transaction
from store.staff import list_staff
from store.tables import Case

router = APIRouter(prefix="/app/cases", include_in_schema=False)
KEY_FIELD = "idempotency_key"
OPEN_FIELD = "open_document"  # the step form's Open buttons: open a document, keep what is typed


def _spec(step: str) -> StepSpec:
    spec = STEP_SPECS.get(step)
    if spec is None:
        raise NotFound(f"no step {step!r}")
    return spec


def _fixed(page: CasePage, spec: StepSpec) -> dict[str, Any]:
    """Fields that must equal what the service computed when the step opened."""
    computed = page.live.computed.get(spec.slug, {}) if page.live else {}
    return {f: computed[key] for f, key in spec.computed if key in computed}


def _computed_rows(
    spec: StepSpec, computed: Mapping[str, Any], tz: str, *, in_form: bool
) -> list[tuple[str, str]]:
    """The computed values listed once each: a value the form shows read-only (to whoever may
    act) is left to the form; the others listed under their form field's label, if any, so a
    value has one name on the page ("Prior reports (180 days)", not that and "Prior reports")."""
    fields = {key: field for field, key in spec.computed}
    rows = []
    for key, value in computed.items():
        field = fields.get(key)
        if field is not None and in_form:
            continue
        info = spec.fields.model_fields.get(field or "")
        label = (info.title if info else None) or humanize(field or key)
        rows.append((label, scalar_text(value, tz)))
    return rows


def evidence_hint(spec: StepSpec) -> str:
    """What every confirmed source must cite, in words (the step's evidence rule)."""
    kinds = [
        f"{kind.replace('-', ' ')} ({', '.join(humanize(d).lower() for d in docs)})"
        for kind, docs in spec.evidence_kinds
    ]
    return f"Each source cites {' and '.join(kinds)}." if kinds else ""


def _may_act(page: CasePage, spec: StepSpec) -> bool:
    return spec.role in page.actor.roles if spec.role else page.is_owner


def _why_not_open(page: CasePage, spec: StepSpec, ob: Obligation | None) -> str:
    """Why the signed-in person has no Open buttons: only the step's submitter opens its
    documents, while it is open (``domain.openings``; the API refuses the rest)."""
    if not _may_act(page, spec):
        who = f"the {role_label(spec.role)}" if spec.role else "the pathway's named owner"
        return (
            f"Only {who} opens these documents, while this step is open: each opening is "
            f"recorded as their prerequisite. You are signed in as {page.actor.display_name}."
        )
    if ob is not None and ob.done_at is not None:
        return "This step is done; its documents were opened by whoever submitted it."
    return "These documents are opened while this step is open; it is not open now."


async def _staff_options(request: Request, case: Case) -> Groups:
    """Who an owner field offers, grouped (``owner_groups``)."""
    # A case page's read: its own short transaction, as case_view.load_case says why.
    async with transaction(request.app.state.sessions) as session:
        return owner_groups(await list_staff(session), case.service_line, case.employee_id)


def not_yet(page: CasePage, computed: Mapping[str, Any], tz: str) -> str:
    """Why a pathway's review cannot be recorded yet ("" when it can): the workflow refuses it
    before the pathway is active and before its review date (the provider's local date)."""
    day = computed.get("review_date")
    if not day:
        return ""
    if page.live is not None and page.live.pathway_active_at is None:
        return "You can record this review once the pathway is active (accepted and published)."
    due = date.fromisoformat(str(day))
    if page.now.astimezone(ZoneInfo(tz)).date() < due:
        return f"You can record this review from {local_date(due)}."
    return ""


def _form(
    page: CasePage,
    spec: StepSpec,
    posted: Mapping[str, Sequence[str]],
    errors: Sequence[FieldError],
    labels: Mapping[str, str],
    people: Groups | None = None,
) -> tuple[list[Control], list[FieldError]]:
    """The step's controls, filled and with each error beside its field; the errors no field
    names (a prerequisite, the stage), for the form's summary."""
    ctx = FormContext(
        posted=posted,
        fixed=_fixed(page, spec),
        documents=page.opened_by_anyone,
        entries=page.live.document_entries if page.live else {},
        entry_labels=labels,
        evidence_hint=evidence_hint(spec),
        people=[option for _, options in people or [] for option in options],
        people_groups=people or [],
    )
    ctx.errors, unplaced = errors_by_control(build_controls(spec.fields, ctx), errors)
    return build_controls(spec.fields, ctx), unplaced


async def step_page(
    request: Request,
    page: CasePage,
    spec: StepSpec,
    *,
    posted: Mapping[str, Sequence[str]] | None = None,
    errors: Sequence[FieldError] = (),
    detail: str = "",
    status: int = 200,
    shown: tuple[str, Any] | None = None,
) -> HTMLResponse:
    """The step's page: its case, prerequisites, computed values and generated form
    (``shown``: a document just opened from the form, as (title, tree), shown beside it)."""
    tz = request.app.state.settings.timezone
    events = await history(request, page, tz)
    opened = page.opened
    computed = page.live.computed.get(spec.slug, {}) if page.live else {}
    ob = page.live.obligations.get(spec.slug) if page.live else None
    may_act = _may_act(page, spec) and ob is not None and ob.done_at is None
    # Entry labels are read only for what the page shows: the form's evidence options (shown to
    # whoever may act, on a step with an evidence field), of documents with citable entries.
    entries = page.live.document_entries if page.live else {}
    cited = [d for d in page.opened_by_anyone if entries.get(d)]
    shows_evidence = may_act and has_evidence(spec.fields)
    labels = await entry_labels(request, page.case, cited) if shows_evidence else {}
    # the form's owner choices
    people = await _staff_options(request, page.case) if may_act else []
    controls, unplaced = _form(page, spec, posted or {}, errors, labels, people)
    context = {
        "page": page,
        "spec": spec,
        "role": role_label(spec.role),
        "register": lower_first(humanize(spec.register)),
        "obligation": ob,
        "rows": open_rows(page, tz),
        "events": events,
        "may_act": may_act,
        "not_yet": not_yet(page, computed, tz) if may_act else "",
        "prerequisites": [(d, humanize(d), d in opened) for d in spec.prerequisites],
        "docs_why": "" if may_act else _why_not_open(page, spec, ob),
        "computed": _computed_rows(spec, computed, tz, in_form=may_act),
        "controls": controls,
        "key_field": KEY_FIELD,
        "open_field": OPEN_FIELD,
        "shown": shown,
        "key": str(uuid.uuid4()),  # a fresh key per rendered form (and after a rejection)
        "detail": dates_in_words(detail),
        "summary": readable_errors(unplaced),
        "status": status,
    }
    return render(request, "step.html", context, status=status)


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
        detail = "some fields need correcting (each is marked below)."
        return await step_page(
            request, page, spec, posted=posted, errors=errors, detail=detail, status=422
        )
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
            detail=exc.detail,
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
    if not _may_act(page, spec):
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
