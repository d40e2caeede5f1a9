"""The reporting worker's forms as pages: employee confirmation (from the closure mail) and
speaking-up confidence, each ending on a receipt.

A page posts through the very functions the API's ``POST /forms/...`` uses (same models, same
ownership rule, same feed validation), so a page can accept nothing the API would refuse. Each
rendered form carries its own Idempotency-Key: a double click or a retried post applies once
and lands on the same receipt.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import Now
from api.deps import Actor, SessionDep
from api.errors import Conflict, FieldError, NotFound, Unprocessable
from api.routers import forms
from api.web.closure_words import category_words, next_review_run, what_next
from api.web.plain_errors import plain_message
from api.web.render import render
from api.web.session import CsrfChecked
from api.web.words import feed_words
from domain.feeds import RiskDomain
from domain.titles import capital
from store.db import transaction
from store.form_submissions import find_submission, record_submission
from store.sources import current_records
from store.tables import Case
from store.worker_closures import CLOSED_AGAIN, Closure, confirmation_key, worker_closures

router = APIRouter(prefix="/app", include_in_schema=False)
CONFIRM_PATH = "/app/forms/employee-confirmation"
CONFIDENCE_PATH = "/app/forms/speaking-up-confidence"
KEY_PATTERN = re.compile(r"[A-Za-z0-9-]{16,64}")
Store = Callable[[AsyncSession], Awaitable[forms.FormStored]]
SCORES = [
    (1, "1 — not at all"),
    (2, "2 — a little"),
    (3, "3 — somewhat"),
    (4, "4 — mostly"),
    (5, "5 — fully"),
]


# The confirmation form's questions, named in its error summary ("Please answer this question"
# alone does not say which); the template's legend and label say the same.
CONFIRM_QUESTIONS = {
    "confirmed": "Does the problem you reported feel resolved to you now?",
    "comment": "Anything you want the reviewers to know",
}
# Who sees a speaking-up answer, as the service keeps it (the form says it before it is sent):
# it is stored with the worker's ID; a case about their report reads it by name (example 3's
# "employee narrative feedback" and validation score, example 2's validation), and the trends
# count it by service line. Nothing here promises more than that.
WHO_SEES_CONFIDENCE = (
    "Your answer is kept with your name. Governance staff reviewing how your reports were "
    "handled and closed see your score and comment with your name, and it counts in your "
    "service line's speaking-up confidence trend."
)
CONFIDENCE_QUESTIONS = {
    "score": "If you saw a near miss tomorrow, how confident are you that reporting it would be "
    "worthwhile?",
    "risk_domain": "Which kind of risk are you thinking about?",
    "comment": "Anything you want to add",
}


def new_key() -> str:
    """A fresh Idempotency-Key for one rendered form."""
    return str(uuid.uuid4())


def field_errors(exc: ValidationError) -> dict[str, str]:
    """A pydantic failure as {field: message}, in words a worker can act on."""
    errors: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        name = ".".join(str(part) for part in err["loc"]) or "form"
        message = plain_message(err)
        errors.setdefault(name, message)
    return errors


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    return {e["field"] or "form": e["message"] for e in errors}


def parse(model: type[BaseModel], values: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """``values`` as ``model`` (the API's own request model), or the errors by field."""
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, field_errors(exc)


async def apply_once(request: Request, actor: Actor, key: str, store: Store, now: Any) -> str:
    """Store a form once per Idempotency-Key; the key whose receipt to show."""
    # Own transactions, not SessionDep: an insert that loses a race is read back in a fresh one.
    sessions = request.app.state.sessions
    try:
        async with transaction(sessions) as session:
            earlier = await find_submission(session, key)
            if earlier is None:
                stored = await store(session)
                await record_submission(
                    session,
                    key,
                    employee_id=actor.employee_id,
                    feed=stored.feed,
                    record_key=stored.key,
                    at=now,
                )
                return key
    except IntegrityError:  # the same key posted twice at once: the other post stored it
        async with sessions() as session:
            earlier = await find_submission(session, key)
        if earlier is None:
            raise
    if earlier.employee_id != actor.employee_id:
        raise Conflict("this form was already sent by someone else; reload the page")
    return key


def _form_key(form: Any) -> str:
    key = str(form.get("idempotency_key", ""))
    if not KEY_PATTERN.fullmatch(key):
        raise Unprocessable(
            "the form is incomplete; reload the page",
            [FieldError(field="idempotency_key", message="missing or malformed")],
        )
    return key


# -- employee confirmation ----------------------------------------------------------------


async def _closure(session: AsyncSession, actor: Actor, case_ref: str, tz: str) -> Closure | None:
    """The worker's closure that ``case_ref`` answers (an example-3 case: the one it repairs)."""
    key = confirmation_key(case_ref)
    closures = await worker_closures(session, actor.employee_id, tz)
    return next((c for c in closures if c.asked.case_ref == key), None)


async def _confirm_context(
    request: Request, session: AsyncSession, actor: Actor, case_ref: str
) -> dict[str, Any]:
    """What the confirmation page shows about the case (after checking it is the worker's):
    the report's reference, when and how it was (last) closed, the answer given before."""
    await forms.check_confirmer(session, actor, case_ref)
    closure = await _closure(session, actor, case_ref, request.app.state.settings.timezone)
    if closure is None:  # a case of theirs that is not closed: nothing to show but its report
        case = await session.get(Case, case_ref)
        reference = case.reference if case else case_ref
        return {"case_ref": case_ref, "reference": reference, "earlier": None, "closure": None}
    earlier = closure.answer
    return {
        "case_ref": closure.asked.case_ref,
        "reference": closure.asked.reference,
        "closure": closure,
        "category": category_words(closure.category) if closure.category else "",
        "closed_again": closure.asked.why == CLOSED_AGAIN,
        "earlier": earlier,
        # "Change my answer": the form opens with the answer given, to change or send again
        "sent": {"confirmed": earlier.get("confirmed"), "comment": earlier.get("comment")}
        if earlier
        else {},
    }


@router.get("/forms/employee-confirmation", response_class=HTMLResponse)
async def confirmation_page(
    request: Request, actor: Authorized, session: SessionDep, case_ref: str = ""
) -> HTMLResponse:
    """The closure confirmation form the worker's mail links to (only the case's reporter)."""
    if not case_ref:
        raise NotFound("no case given: open the link in your mail, or pick it from My reports")
    context = await _confirm_context(request, session, actor, case_ref[:160])
    return render(request, "form_confirmation.html", context | {"key": new_key(), "errors": {}})


@router.post("/forms/employee-confirmation", dependencies=[CsrfChecked], response_model=None)
async def confirmation_submit(
    request: Request, actor: Authorized, session: SessionDep, now: Now
) -> HTMLResponse | RedirectResponse:
    """Store the answer through the API's own path; errors beside their fields, else a receipt."""
    form = await request.form()
    key, case_ref = _form_key(form), str(form.get("case_ref", ""))[:160]
    answer = {"yes": True, "no": False}.get(str(form.get("confirmed", "")))
    values: dict[str, Any] = {"case_ref": case_ref, "comment": str(form.get("comment", "")) or None}
    if answer is not None:
        values["confirmed"] = answer
    model, errors = parse(forms.ConfirmationAnswer, values)
    if model is not None:

        async def store(s: AsyncSession) -> forms.FormStored:
            return await forms.store_confirmation(s, actor, model, now)

        try:
            done = await apply_once(request, actor, key, store, now)
            return RedirectResponse(f"/app/forms/receipts/{done}", status_code=303)
        except Unprocessable as exc:
            errors = _by_field(exc.errors)
    context = await _confirm_context(request, session, actor, case_ref)
    context |= {"key": key, "errors": errors, "sent": values, "questions": CONFIRM_QUESTIONS}
    return render(request, "form_confirmation.html", context, status=422)


# -- speaking-up confidence ---------------------------------------------------------------


def _confidence_context(key: str, errors: dict[str, str], sent: dict[str, Any]) -> dict[str, Any]:
    domains = [(d.value, capital(d.value.replace("_", " "))) for d in RiskDomain]
    return {"key": key, "errors": errors, "sent": sent, "scores": SCORES, "domains": domains,
            "questions": CONFIDENCE_QUESTIONS, "who_sees": WHO_SEES_CONFIDENCE}  # fmt: skip


@router.get("/forms/speaking-up-confidence", response_class=HTMLResponse)
async def confidence_page(request: Request, actor: Authorized) -> HTMLResponse:
    """How confident you feel speaking up (any frontline worker, about themselves)."""
    context = _confidence_context(new_key(), {}, {}) | {"actor": actor}
    return render(request, "form_confidence.html", context)


def _confidence_values(form: Any) -> dict[str, Any]:
    """The posted fields as the API's model expects them (absent when left empty)."""
    values: dict[str, Any] = {}
    for name in ("score", "risk_domain", "comment"):
        value = str(form.get(name, ""))
        if value:
            values[name] = value
    if str(values.get("score", "")).isdigit():
        values["score"] = int(values["score"])
    return values


@router.post("/forms/speaking-up-confidence", dependencies=[CsrfChecked], response_model=None)
async def confidence_submit(
    request: Request, actor: Authorized, now: Now
) -> HTMLResponse | RedirectResponse:
    """Store the answer through the API's own path; errors beside their fields, else a receipt."""
    form = await request.form()
    key = _form_key(form)
    values = _confidence_values(form)
    model, errors = parse(forms.ConfidenceAnswer, values)
    if model is not None:

        async def store(s: AsyncSession) -> forms.FormStored:
            return await forms.store_confidence(s, actor, model, now, response_id=f"web-{key}")

        try:
            done = await apply_once(request, actor, key, store, now)
            return RedirectResponse(f"/app/forms/receipts/{done}", status_code=303)
        except Unprocessable as exc:
            errors = _by_field(exc.errors)
    context = _confidence_context(key, errors, values)
    return render(request, "form_confidence.html", context, status=422)


# -- receipts -----------------------------------------------------------------------------

NEXT_STEPS = {
    # "not resolved": what really follows (``closure_words.what_next``); else only this
    forms.CONFIRMATION_FEED: "Your answer is recorded with your report; see it in My reports.",
    forms.CONFIDENCE_FEED: WHO_SEES_CONFIDENCE,
}
# Where each answer really is: a form's answers are kept as its feed's records (every version,
# ``store.sources``), not in a hash-chained register (those are listed on Registers), under the
# feed's name staff pages use (``feed_words``). The safety team reads confirmation answers in a
# closed case's "employee narrative feedback" (``store.credibility_documents``).
FEED_NAMES = {
    forms.CONFIRMATION_FEED: (
        f"{feed_words(forms.CONFIRMATION_FEED)} answers, kept with your report (every answer you "
        "give is kept; the safety team reads them when it checks how reports were closed)"
    ),
    forms.CONFIDENCE_FEED: "speaking-up confidence responses",
}


@router.get("/forms/receipts/{key}", response_class=HTMLResponse)
async def receipt_page(
    request: Request, key: str, actor: Authorized, session: SessionDep
) -> HTMLResponse:
    """What was recorded, where, when, and what happens next (the submitter only)."""
    submission = await find_submission(session, key[:64])
    if submission is None or submission.employee_id != actor.employee_id:
        raise NotFound("no such receipt")
    records = await current_records(session, submission.feed, [submission.record_key])
    record = records.get(submission.record_key, {})
    confirmation = submission.feed == forms.CONFIRMATION_FEED
    tz = request.app.state.settings.timezone
    case_ref = str(record.get("case_ref", ""))
    closure = await _closure(session, actor, case_ref, tz) if confirmation else None
    next_step = NEXT_STEPS.get(submission.feed, "")
    if closure is not None:  # what really happens to this answer, as "my reports" says it
        review = next_review_run(request.app.state.settings.calendar_config(), datetime.now(UTC))
        next_step = what_next(closure, tz, review) or next_step
    context = {
        "submission": submission,
        "record": record,
        "reference": closure.asked.reference if closure else "",
        "register": FEED_NAMES.get(submission.feed, submission.feed),
        "next_step": next_step,
        "confirmation": confirmation,
    }
    return render(request, "form_receipt.html", context)
