"""Review pages for all three examples: recent reviews, one review's counts, classified list
(filtered by classification and service line), exceptions side by side, cases it opened, and
"Mark reviewed" for the example's step-1 role (through the API's own ``mark_reviewed``)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import request_now
from api.deps import Actor, SessionDep, TemporalDep
from api.errors import ApiError, Conflict, NotFound
from api.routers.reviews import ClassificationFilter, mark_reviewed
from api.web.render import local_time, render
from api.web.review_view import ExceptionRow, ItemRow, counts, exception_rows, item_row
from api.web.session import CsrfChecked
from api.web.words import REVIEW_TITLES, exposure_words, role_label
from api.web.work_words import review_name
from domain import names
from domain.credibility import case_ref_of
from domain.examples import first_step
from domain.instants import instant
from domain.mail_words import capital, case_words, period_words
from domain.reviews import REVIEWS
from domain.titles import lower_first
from store.acknowledgment import ReviewView, load_review
from store.review_pages import (
    cases_still_opening,
    existing_cases,
    recent_reviews,
    review_cases,
    review_service_lines,
)
from store.staff import get_staff
from store.tables import Case

router = APIRouter(prefix="/app/reviews", include_in_schema=False)


def case_key(case: Case) -> str:
    """The review item key a case was opened for: an example-3 case's closure (its case_ref),
    else its report."""
    if case.example == names.EXAMPLE_CREDIBILITY:
        return case_ref_of(case.case_id)
    return case.reference


PAGE = 25  # rows shown at first (a phone's few screens); "Show more" adds as many again
# The weakest first (critical, then emerging; failed, then doubtful), the rest, exceptions last
# (each review has the classifications of one example, so one order serves all three).
WEAKEST_FIRST = ("critical", "failed", "emerging", "doubtful")
MAX_SHOWN = 500  # past this many rows on one page, the next page (offset) instead
KEY_FIELD = "idempotency_key"
CLASSIFICATIONS = {
    "acknowledgment": ["critical", "emerging", "within_tolerance", "exception"],
    "learning-visibility": ["critical", "emerging", "visible_learning_closure", "exception"],
    "closure-credibility": ["failed", "doubtful", "credible", "exception"],
}


def _as_of(as_of: datetime | None, period: str, tz: str) -> str:
    """A review's as-of instant; on its own period's day (a daily review), only the time ("07:00
    that day"): the list gave the date twice ("Mon 7 Dec 2026 · Mon 7 Dec, 07:00")."""
    moment = instant(as_of)
    if moment is None:
        return local_time(as_of, tz)
    local = moment.astimezone(ZoneInfo(tz))
    if local.date().isoformat() == period:
        return f"{local:%H:%M} that day"
    return local_time(as_of, tz)


@router.get("", response_class=HTMLResponse)
async def review_list(request: Request, session: SessionDep, _actor: Authorized) -> HTMLResponse:
    """The recent reviews of each example, newest first."""
    tz = request.app.state.settings.timezone
    found = await recent_reviews(session)
    sections = [
        {
            "title": REVIEW_TITLES.get(example, example),
            "role": role_label(REVIEWS[example].role) if example in REVIEWS else "",
            "reviews": [
                {
                    "id": r.review_id,
                    "period": period_words(r.period),
                    "as_of": _as_of(r.as_of, r.period, tz),
                    "status": "reviewed" if r.status == "reviewed" else "awaiting review",
                    "counts": ", ".join(f"{n} {label}" for label, n in counts(r.summary)),
                }
                for r in rows
            ],
        }
        for example, rows in found.items()
    ]
    return render(request, "reviews.html", {"sections": sections})


async def _read(
    session: AsyncSession, review_id: str, filters: dict[str, Any], tz: str
) -> tuple[ReviewView, list[ExceptionRow], list[str], list[Case], str | None]:
    """The review's page of items, its exceptions, service lines, cases and reviewer's name."""
    shown = int(filters.get("shown") or PAGE)
    wanted = {k: v for k, v in filters.items() if k != "shown"}
    view = await load_review(session, review_id, limit=shown, first=WEAKEST_FIRST, **wanted)
    if view is None:
        raise NotFound(f"no generated review {review_id!r}")
    exceptions = await load_review(session, review_id, classification="exception", limit=50)
    assert exceptions is not None
    rows = await exception_rows(session, view.example, exceptions.items, tz)
    lines = await review_service_lines(session, review_id)
    opened = await review_cases(session, review_id)
    reviewer = await get_staff(session, view.reviewed_by) if view.reviewed_by else None
    name = reviewer.display_name if reviewer else view.reviewed_by
    return view, rows, lines, opened, name


def _groups(rows: list[ItemRow]) -> list[tuple[str, list[ItemRow]]]:
    """The shown rows in runs of one classification (the list is ordered by it)."""
    groups: list[tuple[str, list[ItemRow]]] = []
    for row in rows:
        if groups and groups[-1][0] == row.classification:
            groups[-1][1].append(row)
        else:
            groups.append((row.classification, [row]))
    return groups


async def _review_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    review_id: str,
    filters: dict[str, Any],
    *,
    detail: str = "",
    notice: str = "",
    status: int = 200,
) -> HTMLResponse:
    tz = request.app.state.settings.timezone
    view, rows, lines, opened, reviewer = await _read(session, review_id, filters, tz)
    spec = REVIEWS.get(view.example)
    offset = int(filters.get("offset", 0))
    shown = int(filters.get("shown") or PAGE)
    query = {k: v for k, v in filters.items() if k not in ("offset", "shown") and v is not None}
    more = offset + shown < view.total
    # Each row's case: the one its item names, else the one this review opened for its key
    # (an example-3 closure's); a link once it exists, "opening" until then.
    keyed = {case_key(c): c.case_id for c in opened}
    items = [item_row(i, keyed) for i in view.items]
    named = {i.case_id for i in items if i.case_id}
    existing = await existing_cases(session, named - set(keyed.values())) | set(keyed.values())
    items = [replace(i, case_open=i.case_id in existing) if i.case_id else i for i in items]
    summary = view.summary.get("counts") or {}
    kinds = [c for c in CLASSIFICATIONS.get(view.example, []) if c != "exception"]
    chips = [(c, exposure_words(c), int(summary.get(c, 0))) for c in kinds]
    if "exceptions" in view.summary:
        exceptions = int(view.summary["exceptions"])
        chips.append(("exception", "exceptions (not reconciled)", exceptions))
    context = {
        "view": view,
        "title": review_name(view.example, view.period),
        "as_of": local_time(view.as_of, tz),
        "reviewed_at": local_time(view.reviewed_at, tz),
        "reviewer": reviewer,
        "chips": chips,
        "everything": sum(n for _, _, n in chips),
        "groups": _groups(items),
        "items_shown": len(items),
        "first_row": offset + 1,
        "shown": shown,
        "show_more": urlencode(query | {"offset": offset, "shown": shown + PAGE})
        if more and shown < MAX_SHOWN
        else "",
        "more_count": min(PAGE, view.total - offset - shown),
        "exceptions": rows,
        "exceptions_total": int(view.summary.get("exceptions") or len(rows)),
        "classifications": [(c, exposure_words(c)) for c in CLASSIFICATIONS.get(view.example, [])],
        "service_lines": lines,
        "filters": filters,
        "cases": [
            (
                c.case_id,
                capital(case_words(c.case_id, c.reference)),
                exposure_words(c.exposure),
                c.stage,
            )
            for c in opened
        ],
        "case_names": {c.case_id: case_words(c.case_id, c.reference) for c in opened},
        "can_mark": spec is not None and spec.role in actor.roles and view.status != "reviewed",
        "step_role": role_label(spec.role) if spec else "",
        "key_field": KEY_FIELD,
        "key": str(uuid.uuid4()),
        "previous": urlencode(query | {"offset": max(offset - shown, 0), "shown": shown})
        if offset
        else "",
        "next": urlencode(query | {"offset": offset + shown, "shown": shown})
        if more and shown >= MAX_SHOWN
        else "",
        "detail": detail,
        "notice": notice,
        "status": status,
    }
    return render(request, "review.html", context, status=status)


@router.get("/{review_id}", response_class=HTMLResponse)
async def review_page(
    review_id: str,
    request: Request,
    actor: Authorized,
    session: SessionDep,
    classification: Annotated[ClassificationFilter | None, Query()] = None,
    service_line: Annotated[str | None, Query(max_length=128)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    shown: Annotated[int, Query(ge=1, le=MAX_SHOWN)] = PAGE,
    marked: bool = False,
) -> HTMLResponse:
    """One review: counts, the classified list (weakest first, in groups) with filters and
    "Show more", exceptions, cases opened."""
    filters = {
        "classification": classification,
        "service_line": service_line or None,
        "shown": shown,
    }
    notice = await _marked_notice(request, session, review_id) if marked else ""
    return await _review_page(
        request, session, actor, review_id, filters | {"offset": offset}, notice=notice
    )


MARKED_JUST_NOW = timedelta(minutes=1)
# What marking a review sets going, one wording per review kind (the walk of 8 December read
# "the exposed reports' cases are opening" for one kind and a bare "Marked reviewed." for another
# that had opened adjudications): which cases open, for whom, and where they appear.
OPENS = {
    names.EXAMPLE_ACKNOWLEDGMENT: "a case opens for each emerging and critical report",
    names.EXAMPLE_LEARNING: "a case opens for each emerging and critical report",
    names.EXAMPLE_CREDIBILITY: "a case opens for each doubtful and failed closure",
}


def marked_words(example: str) -> str:
    """The notice after marking a review of EXAMPLE: what happens next."""
    step = first_step(example)
    who = f"the {role_label(step.role)}" if step.role else "its owner"
    return (
        f"Marked reviewed: {OPENS[example]}, for {who}'s {lower_first(step.title)}. Each case is "
        "linked in the Case column once it is open; they open over the next minute."
    )


async def _marked_notice(request: Request, session: AsyncSession, review_id: str) -> str:
    """What the page marking redirects to says, once: while the exposed reports' cases are still
    opening or within a minute of the marking, what marking set going (``marked_words``); later
    reloads of that address say nothing (the status line says who reviewed it, the cases are
    listed)."""
    view = await load_review(session, review_id, limit=0)
    if view is None or view.example not in OPENS:
        return ""
    reviewed_at = view.reviewed_at
    recent = reviewed_at and await request_now(request) - reviewed_at < MARKED_JUST_NOW
    if recent or await cases_still_opening(session, review_id):
        return marked_words(view.example)
    return ""


@router.post("/{review_id}/reviewed", dependencies=[CsrfChecked], response_model=None)
async def mark(
    review_id: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    session: SessionDep,
    idempotency_key: Annotated[str, Form(alias=KEY_FIELD, max_length=200)] = "",
) -> Response:
    """Mark the review reviewed (as ``POST /reviews/{id}/reviewed``); a repeat applies once."""
    key = idempotency_key or str(uuid.uuid4())
    try:
        await mark_reviewed(review_id, request, actor, temporal, key)
    except Conflict as exc:
        # SESSION's first read is here, after the update: it sees what the update wrote.
        if not await _reviewed_by(session, review_id, actor):  # a double click lands here
            return await _review_page(
                request, session, actor, review_id, {}, detail=exc.detail, status=409
            )
    except ApiError as exc:
        return await _review_page(
            request, session, actor, review_id, {}, detail=exc.detail, status=exc.status_code
        )
    return RedirectResponse(f"/app/reviews/{review_id}?marked=1", status_code=303)


async def _reviewed_by(session: AsyncSession, review_id: str, actor: Actor) -> bool:
    view = await load_review(session, review_id, limit=0)
    return view is not None and view.status == "reviewed" and view.reviewed_by == actor.employee_id
