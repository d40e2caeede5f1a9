"""A step's page as it shows: its case, prerequisites (and why someone cannot open them),
computed values listed once each, the form generated from the step's model with each rejection
beside its field, and why a pathway's review cannot be recorded yet. The routes that show and
submit it: ``api.web.steps``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.errors import FieldError
from api.web.case_view import CasePage, history, open_rows
from api.web.document_view import scalar_text
from api.web.entry_labels import entry_labels
from api.web.form_errors import errors_by_control, marked_fields
from api.web.owner_options import Groups, owner_groups
from api.web.render import dates_in_words, local_date, render
from api.web.step_form import Control, FormContext, build_controls, has_evidence
from api.web.words import humanize, lower_first, readable_errors, role_label
from domain.cases import Obligation
from domain.steps import StepSpec
from store.db import transaction
from store.staff import list_staff, triage_owners
from store.tables import Case

KEY_FIELD = "idempotency_key"
OPEN_FIELD = "open_document"  # the step form's Open buttons: open a document, keep what is typed


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
    if not kinds:
        return ""
    return (
        f"Each source cites {' and '.join(kinds)}. A document's entries offered are the feeds' "
        "records and the actions recorded on the case, not the service's own steps."
    )


def may_act(page: CasePage, spec: StepSpec) -> bool:
    return spec.role in page.actor.roles if spec.role else page.is_owner


def _why_not_open(page: CasePage, spec: StepSpec, ob: Obligation | None) -> str:
    """Why the signed-in person has no Open buttons: only the step's submitter opens its
    documents, while it is open (``domain.openings``; the API refuses the rest)."""
    if not may_act(page, spec):
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
        staff, triagers = await list_staff(session), await triage_owners(session)
        return owner_groups(staff, case.service_line, case.employee_id, triagers)


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
    acts = may_act(page, spec) and ob is not None and ob.done_at is None
    # Entry labels are read only for what the page shows: the form's evidence options (shown to
    # whoever may act, on a step with an evidence field), of documents with citable entries.
    entries = page.live.document_entries if page.live else {}
    cited = [d for d in page.opened_by_anyone if entries.get(d)]
    shows_evidence = acts and has_evidence(spec.fields)
    labels = await entry_labels(request, page.case, cited) if shows_evidence else {}
    # the form's owner choices
    people = await _staff_options(request, page.case) if acts else []
    controls, unplaced = _form(page, spec, posted or {}, errors, labels, people)
    context = {
        "page": page,
        "spec": spec,
        "role": role_label(spec.role),
        "register": lower_first(humanize(spec.register)),
        "obligation": ob,
        "rows": open_rows(page, tz),
        "events": events,
        "may_act": acts,
        "not_yet": not_yet(page, computed, tz) if acts else "",
        "prerequisites": [(d, humanize(d), d in opened) for d in spec.prerequisites],
        "docs_why": "" if acts else _why_not_open(page, spec, ob),
        "computed": _computed_rows(spec, computed, tz, in_form=acts),
        "controls": controls,
        "key_field": KEY_FIELD,
        "open_field": OPEN_FIELD,
        "shown": shown,
        "key": str(uuid.uuid4()),  # a fresh key per rendered form (and after a rejection)
        "detail": dates_in_words(detail),
        "marked": marked_fields(controls),
        "summary": readable_errors(unplaced),
        "status": status,
    }
    return render(request, "step.html", context, status=status)
