"""Reviews (step 1 of every example): start or find one, read it, mark it reviewed."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel
from temporalio.client import WorkflowExecutionStatus

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep, TemporalDep
from api.errors import FieldError, Forbidden, NotFound, Unprocessable
from api.guard import GuardedRoute
from api.idempotency import keyed_update
from api.temporal_calls import (
    IdempotencyKey,
    case_actor,
    raise_temporal_failure,
    status_name,
    workflow_status,
)
from api.web.api_words import case_href, reasons_words, when_words
from api.web.words import humanize
from api.web.work_words import review_name
from domain import acknowledgment, credibility, learning, learning_cycles, names
from domain.calendar import BusinessCalendar
from domain.periodic import MarkReviewed, ReviewSummary
from domain.review_periods import ReviewPeriodError, check_started
from domain.reviews import REVIEWS, review_id
from domain.roles import Role
from infra.starters import start_review
from store.acknowledgment import load_review
from store.staff import staff_names

router = APIRouter(prefix="/reviews", tags=["reviews"], route_class=GuardedRoute)

# Period formats (DESIGN.md "Public interface"): the review date, or the reviewed month.
PERIODS: dict[str, tuple[str, str]] = {
    names.EXAMPLE_ACKNOWLEDGMENT: (r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD (the review date)"),
    names.EXAMPLE_LEARNING: (r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD (a cycle ended on or before it)"),
    names.EXAMPLE_CREDIBILITY: (r"\d{4}-\d{2}", "YYYY-MM (the month whose closures are reviewed)"),
}
POLICY_VERSIONS = {
    names.EXAMPLE_ACKNOWLEDGMENT: acknowledgment.POLICY_VERSION,
    names.EXAMPLE_LEARNING: learning.POLICY_VERSION,
    names.EXAMPLE_CREDIBILITY: credibility.POLICY_VERSION,
}
MAX_PAGE = 1_000
ClassificationFilter = Literal[
    "within_tolerance",
    "emerging",
    "critical",  # example 1
    "visible_learning_closure",  # example 2 (and emerging, critical)
    "credible",
    "doubtful",
    "failed",  # example 3
    "exception",  # unreconciled, any example
]


class ReviewStarted(BaseModel):
    """A review's workflow: ``status`` is Temporal's (running, completed…)."""

    review_id: str
    workflow_id: str
    status: str


class ReviewItemOut(BaseModel):
    reference: str
    classification: str | None
    reasons: list[str]
    fields: dict[str, Any]
    case_id: str | None
    # The same in words, as the review's staff page shows them (added for the dashboard)
    reasons_words: list[str] = []
    case_href: str = ""


class ReviewOut(BaseModel):
    """A generated review and one page of its items (ordered by reference)."""

    review_id: str
    example: str
    period: str
    as_of: datetime
    generated_at: datetime
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    summary: dict[str, Any]
    total: int
    limit: int
    offset: int
    items: list[ReviewItemOut]
    # The same in words, as the staff pages show them (added for the dashboard)
    title: str = ""
    status_words: str = ""
    reviewed_by_name: str = ""
    reviewed_at_words: str = ""


def _check_period(example: str, period: str) -> None:
    """404 for an example without a review (yet); 422 for a malformed or impossible period."""
    if example not in PERIODS:
        raise NotFound(f"no example {example!r}; known: {', '.join(PERIODS)}")
    if example not in REVIEWS:
        raise NotFound(f"the {example} review is not built yet")
    pattern, human = PERIODS[example]
    valid = re.fullmatch(pattern, period) is not None
    if valid:
        try:
            date.fromisoformat(period if len(period) == 10 else f"{period}-01")
        except ValueError:
            valid = False
    if not valid:
        raise Unprocessable(
            "invalid period", [FieldError(field="period", message=f"expected {human}")]
        )


@router.post(
    "/{review_id}/reviewed",
    responses={403: {"description": "not the example's step-1 role"}, 409: {}},
)
async def mark_reviewed(
    review_id: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    key: IdempotencyKey = None,
) -> ReviewSummary:
    """Mark the review reviewed (its example's step-1 role): classifications take effect and the
    exposed reports' cases open. 409 when it is not awaiting review (not generated, or done)."""
    return await keyed_update(
        request.app,
        temporal,
        review_id,
        names.UPDATE_MARK_REVIEWED,
        MarkReviewed(actor=case_actor(actor)),
        result_type=ReviewSummary,
        key=key,
    )


@router.post("/{example}/{period}", status_code=202, responses={200: {"model": ReviewStarted}})
async def start(
    example: Annotated[str, Path(description=", ".join(PERIODS))],
    period: str,
    response: Response,
    actor: Authorized,
    temporal: TemporalDep,
    settings: SettingsDep,
    now: Now,
) -> ReviewStarted:
    """Start the review (202), or find the one already started for that period (200); one that
    ended without finishing (terminated, failed) is run again (202). The administrator or the
    example's step-1 role (the seed: the analyst "must generate" the review). A period that does
    not exist, or whose review has not reached its as-of instant (07:00 local on its run day), is
    a 422 and starts nothing."""
    spec = REVIEWS.get(example)
    if spec is not None and not actor.roles & {Role.ADMINISTRATOR, spec.role}:
        raise Forbidden(f"starting this review needs the role {spec.role.value}")
    _check_period(example, period)
    calendar = settings.calendar_config()
    try:
        check_started(
            example,
            period,
            BusinessCalendar(calendar),
            date.fromisoformat(settings.cycle_anchor),
            now,
        )
    except ReviewPeriodError as exc:
        error = FieldError(field="period", message=str(exc))
        raise Unprocessable("invalid period", [error]) from exc
    if example == names.EXAMPLE_LEARNING:  # the audit of the last cycle ended on or before it
        period = learning_cycles.audit_period(
            date.fromisoformat(period), date.fromisoformat(settings.cycle_anchor)
        )
    rid = review_id(example, period)
    existing = await workflow_status(temporal, rid)
    if existing in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.COMPLETED):
        # Never re-run a finished review: its cases are already open.
        response.status_code = 200
        return ReviewStarted(review_id=rid, workflow_id=rid, status=status_name(existing))
    try:
        await start_review(
            temporal,
            settings.temporal_task_queue,
            example,
            period,
            calendar,
            POLICY_VERSIONS[example],
            requested=True,
        )
    except Exception as exc:  # noqa: BLE001 - mapped or re-raised
        raise_temporal_failure(exc, rid)
    return ReviewStarted(review_id=rid, workflow_id=rid, status="running")


@router.get("/{review_id}")
async def get_review(
    review_id: str,
    session: SessionDep,
    _actor: Authorized,
    settings: SettingsDep,
    classification: Annotated[
        ClassificationFilter | None, Query(description="`exception`: unreconciled items")
    ] = None,
    service_line: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> ReviewOut:
    """The review with one page of items (classification, exception reasons, case ID); 404 until
    it has been generated."""
    view = await load_review(
        session,
        review_id,
        classification=classification,
        limit=limit,
        offset=offset,
        service_line=service_line,
    )
    if view is None:
        raise NotFound(f"no generated review {review_id!r}")
    out = ReviewOut(**view.model_dump(), limit=limit, offset=offset)
    names_by_id = await staff_names(session, {view.reviewed_by} if view.reviewed_by else set())
    items = [
        item.model_copy(
            update={"reasons_words": reasons_words(shown), "case_href": case_href(item.case_id)}
        )
        for item, shown in zip(out.items, view.items, strict=True)
    ]
    return out.model_copy(
        update={
            "items": items,
            "title": review_name(view.example, view.period),
            "status_words": humanize(view.status).lower(),
            "reviewed_by_name": names_by_id.get(view.reviewed_by or "", view.reviewed_by or ""),
            "reviewed_at_words": when_words(view.reviewed_at, settings),
        }
    )
