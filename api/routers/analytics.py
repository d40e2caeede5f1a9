"""Retention analytics for governance roles, inspectors and the board.

Every endpoint reads the stored reviews and feeds only (never Temporal). Each docstring below is
the endpoint's OpenAPI description and defines every measure (numerator ÷ denominator); a rate
whose denominator is 0 is null. Per review here; per week or month:
``api.routers.period_analytics``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.analytics_range import EARLIEST, LATEST, PAGE, From, To, check_range, envelope
from api.authz import Authorized
from api.deps import SessionDep, SettingsDep
from api.guard import GuardedRoute
from api.web.analytics_page import Layout, analytics_page, wants_page
from api.web.analytics_reviews import ACKNOWLEDGMENT, CLOSURE, LEARNING, TRIAGE
from domain.calendar import calendar_for
from store.analytics import Grouping, acknowledgment_trends, review_instants
from store.analytics_credibility import closure_trends
from store.analytics_learning import learning_trends
from store.analytics_triage import triage_trends

router = APIRouter(prefix="/analytics", tags=["analytics"], route_class=GuardedRoute)


async def _page(
    request: Request,
    session: SessionDep,
    layout: Layout,
    rows: list[dict[str, Any]],
    group: str,
    start: date,
    end: date,
) -> Any:
    """The rows as the endpoint's page (each review's as-of instant read for its local time)."""
    as_of = await review_instants(session, {layout.review(r)[2] for r in rows})
    return analytics_page(request, layout, rows, group, start, end, as_of)


@router.get(
    "/acknowledgment",
    response_model=list[dict[str, Any]],
    responses=PAGE,
)
async def acknowledgment(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _actor: Authorized,
    start: Annotated[
        date, Query(alias="from", description="first review date", ge=EARLIEST, le=LATEST)
    ],
    end: Annotated[date, Query(alias="to", description="last review date", ge=EARLIEST, le=LATEST)],
    group: Grouping = "service_line",
) -> Any:
    """Per review date and group: reports, classifications, threshold breaches, reports with no
    named triage owner, and the medians to first acknowledgment and to triage over classified
    reports (the review's as-of instant standing in for a missing one) in minutes
    (`median_minutes_*`), hours (`median_hours_*`) and provider working hours
    (`median_working_hours_*`). Per week or month: `/analytics/series`.

    A browser opening it with its page session (`Accept: text/html`, no bearer token) gets the
    same rows as a page (headings, a table, the pages' navigation); everyone else the JSON."""
    check_range(start, end)
    calendar = calendar_for(settings.calendar_config())
    rows = await acknowledgment_trends(session, group, start, end, calendar)
    if wants_page(request):
        return await _page(request, session, ACKNOWLEDGMENT, rows, group, start, end)
    return rows


@router.get("/triage", response_model=dict[str, Any], responses=PAGE)
async def triage(
    request: Request,
    session: SessionDep,
    _actor: Authorized,
    start: From,
    end: To,
    group: Grouping = "service_line",
) -> Any:
    """Example 1, under-triage by near-miss category: per stored daily review (review date in
    [from, to]), group and `category_code`, over the review's classified reports (exceptions
    left out). Group: the report's service line, risk domain, or manager line (its
    governance-register row, as the review stored it).

    - `under_triage_rate` = reports classed emerging or critical (`under_triaged`) ÷
      `classified` (step 2's "category repeatedly under-triaged" counts the same reports).
    - `triage_over_threshold`, `no_named_triage_owner`, `manager_not_reviewed`: classified
      reports carrying that triage-failure indicator.
    - Time to a named triage owner (the tracker's `triage_owner_assigned_at`), in hours and
      working hours per week or month: `/analytics/series`.

    A signed-in browser (`Accept: text/html`, no bearer token) gets these rows as a page."""
    check_range(start, end)
    rows = await triage_trends(session, group, start, end)
    if wants_page(request):
        return await _page(request, session, TRIAGE, rows, group, start, end)
    not_available: list[dict[str, str]] = []  # time to a named owner: /analytics/series
    return envelope(group, start, end, rows=rows, not_available=not_available)


@router.get("/learning", response_model=dict[str, Any], responses=PAGE)
async def learning(
    request: Request,
    session: SessionDep,
    _actor: Authorized,
    start: From,
    end: To,
    group: Grouping = "service_line",
) -> Any:
    """Example 2, per stored fortnightly audit whose cycle starts in [from, to], and group.

    The group is the audited report's service line or risk domain; its manager line comes from
    the report's `service-line-governance-register` row (`unknown` without one).

    - `closed_reports`: reports closed in the cycle (the audit's items); `exceptions`: those
      that did not reconcile; `reconciled` = closed_reports − exceptions. Rates below use only
      reconciled reports.
    - `visible_learning_closure`, `emerging`, `critical`: the audit's classifications.
    - `feedback_to_reporter_rate` = reconciled reports with `feedback_to_reporter_at` set in
      `learning-bulletin-log` (`feedback_to_reporter`) ÷ reconciled.
    - `shared_learning_rate` = reports of wider relevance with a bulletin issued
      (`shared_learning_issued`) ÷ reconciled reports of wider relevance
      (`shared_learning_required`).
    - `recurrence_within_30_days_rate` = reconciled reports whose `recurrence-analysis-file` row
      has `recurrence_within_30_days` (`recurrence_within_30_days`) ÷ reconciled.

    Values are as the audit recorded them at its `as_of`.

    A signed-in browser (`Accept: text/html`, no bearer token) gets these rows as a page."""
    check_range(start, end)
    rows = await learning_trends(session, group, start, end)
    if wants_page(request):
        return await _page(request, session, LEARNING, rows, group, start, end)
    return envelope(group, start, end, rows=rows, not_available=[])


# The description's "ClosurePolicy" is domain.credibility.CredibilityPolicy (the OpenAPI
# text is kept as published).
@router.get("/closure", response_model=dict[str, Any], responses=PAGE)
async def closure(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _actor: Authorized,
    start: From,
    end: To,
    group: Grouping = "service_line",
) -> Any:
    """Example 3, per stored monthly review of a month overlapping [from, to], and group.

    The group is the closure's service line or manager line; its risk domain is the report's
    (`incident-platform` row of the closure's `reference`; `unknown` without one).

    - `closures`: the review's closed cases; `exceptions`: those that did not reconcile;
      `reconciled` = closures − exceptions. Rates below use only reconciled closures.
    - `credible`, `doubtful`, `failed`: the review's classifications (as at its `as_of`).
    - `employee_confirmed_rate` = closures whose current `employee-confirmation-form` answer is
      `confirmed: true` (`employee_confirmed`) ÷ reconciled; `employee_disputed` counts
      `confirmed: false`.
    - `reopened_within_30_days_rate` = closures with a current `reopened-risk-tracker` row 0–30
      local calendar days after closure (`reopened_within_30_days`) ÷ reconciled. Read today,
      so a reopen after the review counts; a month less than 30 days old can still rise.
    - `doubtful_or_failed_by_reviewer`: doubtful or failed closures per `final_reviewing_role`.
    - `repeated_doubtful_closures`: doubtful or failed closures whose reviewing role had at least
      `repeat_min` (2) doubtful or failed closures, this one included, closed in the
      `repeat_window_days` (90) up to it, in any group (the review's pinned ClosurePolicy, the
      rule step 2 applies); `repeated_doubtful_by_reviewer` splits them by role.

    A signed-in browser (`Accept: text/html`, no bearer token) gets these rows as a page."""
    check_range(start, end)
    rows = await closure_trends(session, group, start, end, settings.timezone)
    if wants_page(request):
        return await _page(request, session, CLOSURE, rows, group, start, end)
    return envelope(group, start, end, rows=rows, not_available=[])
