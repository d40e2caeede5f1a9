"""Retention analytics for governance roles, inspectors and the board.

Every endpoint reads the stored reviews and feeds only (never Temporal). Each docstring below is
the endpoint's OpenAPI description and defines every measure (numerator ÷ denominator); a rate
whose denominator is 0 is null.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from api.authz import Authorized
from api.deps import SessionDep, SettingsDep
from api.errors import FieldError, Unprocessable
from api.guard import GuardedRoute
from api.series_csv import series_csv
from api.web.analytics_page import (
    ACKNOWLEDGMENT,
    CLOSURE,
    LEARNING,
    TRIAGE,
    Layout,
    analytics_page,
    wants_page,
)
from api.web.analytics_periods import (
    SERIES,
    SERIES_PERIOD,
    WORKFORCE,
    WORKFORCE_PERIOD,
    merged,
    period_page,
)
from domain.analytics import RISK_DOMAIN_HEADS, RISK_DOMAIN_LEAVERS, PeriodKind
from domain.calendar import calendar_for
from store.analytics import Grouping, acknowledgment_trends, review_instants
from store.analytics_credibility import closure_trends
from store.analytics_learning import learning_trends
from store.analytics_leavers import leaver_trends
from store.analytics_series import series
from store.analytics_triage import triage_trends
from store.analytics_workforce import confidence_trends, reporting_trends

router = APIRouter(prefix="/analytics", tags=["analytics"], route_class=GuardedRoute)

# Dates the service can count over (no period before 2000 or after 2100 exists for it).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
From = Annotated[
    date,
    Query(alias="from", description="first day of the range (inclusive)", ge=EARLIEST, le=LATEST),
]
To = Annotated[
    date,
    Query(alias="to", description="last day of the range (inclusive)", ge=EARLIEST, le=LATEST),
]
Period = Annotated[PeriodKind, Query(description="ISO week or calendar month")]


MAX_RANGE_DAYS = 1_830  # five years: a wider range would be one request's unbounded work


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise Unprocessable("invalid range", [FieldError(field="to", message="before `from`")])
    if (end - start).days >= MAX_RANGE_DAYS:
        message = f"at most {MAX_RANGE_DAYS} days after `from`"
        raise Unprocessable("invalid range", [FieldError(field="to", message=message)])


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


PAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}


def _envelope(group: str, start: date, end: date, **body: Any) -> dict[str, Any]:
    return {"group": group, "from": start.isoformat(), "to": end.isoformat(), **body}


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
    _check_range(start, end)
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
    _check_range(start, end)
    rows = await triage_trends(session, group, start, end)
    if wants_page(request):
        return await _page(request, session, TRIAGE, rows, group, start, end)
    not_available: list[dict[str, str]] = []  # time to a named owner: /analytics/series
    return _envelope(group, start, end, rows=rows, not_available=not_available)


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
    _check_range(start, end)
    rows = await learning_trends(session, group, start, end)
    if wants_page(request):
        return await _page(request, session, LEARNING, rows, group, start, end)
    return _envelope(group, start, end, rows=rows, not_available=[])


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
    _check_range(start, end)
    rows = await closure_trends(session, group, start, end, settings.timezone)
    if wants_page(request):
        return await _page(request, session, CLOSURE, rows, group, start, end)
    return _envelope(group, start, end, rows=rows, not_available=[])


@router.get("/workforce", responses=PAGE)
async def workforce(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _actor: Authorized,
    start: From,
    end: To,
    group: Grouping = "service_line",
    period: Period = WORKFORCE_PERIOD,
) -> Any:
    """Speaking-up confidence, reporting rate and leavers per period (ISO week or month, local
    dates, clipped to [from, to]: `first_day`, `last_day`, `days`) and group.

    - `confidence`: current `speaking-up-confidence-form` records submitted in the period.
      `responses`; `respondents` (distinct employees); `mean_score` = sum of scores ÷
      responses; `low_scores` = responses scoring 1 or 2. Group: the record's service line or
      risk domain; manager line from the respondent's current staff-directory record.
    - `reporting`: current `incident-platform` reports by `submitted_at` in the period.
      `reports`; `reporters` (distinct employees); `reports_per_7_days` = reports × 7 ÷ days,
      comparable across partial periods. Every group seen in the range gets every period, zeros
      included, so a falling rate shows. Manager line from the report's governance-register row.
    - `leavers` (per period) and `leavers_over_range` (the whole range), per service line or
      manager line of the staff directory. Workers: staff-directory records with the `worker`
      role that are active or have a `left_at` date (inactive without a date are left out),
      employed at the period's first day (`started_at` null or on/before it, `left_at` null or
      on/after it). Exposed: a first weak
      response on or before the period's last day (and before leaving): an example-1 review
      classing one of their reports emerging or critical (its review date), or an example-3
      review classing a closure of theirs doubtful or failed (its local closure date).
      `exposed_leaver_rate` = exposed workers with `left_at` in the period ÷ exposed workers;
      `not_exposed_leaver_rate` likewise for the others; `*_ci95` their Wilson 95% intervals.
    - `not_available`: measures the feeds cannot support, with the reason.

    A signed-in browser (`Accept: text/html`, no bearer token) gets these rows as a page."""
    _check_range(start, end)
    zone = settings.timezone
    not_available: list[dict[str, str]] = []  # reports per head: /analytics/series
    leavers: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    if group == "risk_domain":
        not_available.append(RISK_DOMAIN_LEAVERS)
    else:
        leavers, totals = await leaver_trends(session, group, start, end, period, zone)
    confidence = await confidence_trends(session, group, start, end, period, zone)
    reporting = await reporting_trends(session, group, start, end, period, zone)
    if wants_page(request):
        rows = merged(group, reporting, confidence, leavers)
        query = {"group": group, "start": start, "end": end, "period": period}
        return period_page(request, WORKFORCE, rows, query, not_available)
    return _envelope(
        group,
        start,
        end,
        period=period,
        confidence=confidence,
        reporting=reporting,
        leavers=leavers,
        leavers_over_range=totals,
        not_available=not_available,
    )


@router.get("/series", responses={200: {"content": {"text/csv": {}, "text/html": {}}}})
async def time_series(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _actor: Authorized,
    start: From,
    end: To,
    group: Grouping = "service_line",
    period: Period = SERIES_PERIOD,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """Per ISO week or month overlapping [from, to] (whole periods, the last clipped to `to`)
    and group, oldest first — the time axis of the dashboard's Trends chart:

    - `reports`: `incident-platform` reports submitted in the period; `heads`: staff-directory
      workers of the group employed on the period's first day (`started_at` on/before it,
      `left_at` null or on/after it; none for risk domain); `reports_per_head` = reports ÷ heads.
    - Hesitancy: `expected_reports` = the mean reports per head of the group's previous six
      periods × this period's heads (× the part of the period counted, when `to` falls inside
      it: the current week is not flagged for being unfinished); `hesitancy_lower_bound` = the
      lower end of the central 95% Poisson interval around it; `hesitancy` is true when
      `reports` is below it (never with fewer than three previous periods).
    - `to_first_acknowledgment`, `to_named_triage_owner`: over the period's reports with the
      stamp (`first_acknowledged_at`; the tracker's `triage_owner_assigned_at`): `n`,
      `median_hours` and `median_working_hours` (provider working time) from `submitted_at`.
    - Leavers exposed to weak response against not, counting workers employed at the period's
      start, with counts, rates and Wilson 95% intervals (`*_ci95`), as in `/workforce`.
    - `confidence`: current `speaking-up-confidence-form` answers submitted in the period:
      `responses`, `respondents`, `mean_score`, `low_scores` (1 or 2), `low_score_rate` =
      low_scores ÷ responses.
    - `learning`: reports closed in the period (local date of `closed_at`) as the latest
      fortnightly audit classified them: `closed_reports`, `exceptions` (not reconciled: in no
      denominator), `reconciled`, the three classes; `visible_learning_rate` =
      visible_learning_closure ÷ reconciled; `feedback_to_reporter_rate` = reports whose
      reporter was given feedback ÷ reconciled; `shared_learning_rate` = bulletins issued ÷
      reports of wider relevance; `recurrence_within_30_days_rate` = recurred ÷ reconciled.
    - `closure`: cases closed in the period as the latest monthly review classified them:
      `closures`, `exceptions`, `reconciled`; `credible_rate`, `doubtful_rate`, `failed_rate`
      = each class ÷ reconciled; `employee_confirmed_rate` (current confirmation answers) and
      `reopened_within_30_days_rate` ÷ reconciled, read today as in `/closure`.
    Every rate has its Wilson 95% interval (`*_rate_ci95`, null with a 0 denominator). A
    period's learning and closure figures appear once its audit or review has run.
    `totals`: per period, every group together: `reports` and the two durations over all of
    the period's reports (the median over all, not a median of the groups' medians).

    `?format=csv` gives the same rows flattened (`confidence_*`, `learning_*`, `closure_*`;
    intervals as `*_ci95_low` and `*_ci95_high`), each period's groups followed by an
    `all groups` line: reports and the medians of `totals`, heads and counts summed, rates and
    intervals again from the sums, hesitancy if any group's; per-group-only figures blank.

    A signed-in browser (`Accept: text/html`, no bearer token, no `format=csv`) gets the rows
    as a page."""
    _check_range(start, end)
    calendar = calendar_for(settings.calendar_config())
    rows, totals = await series(session, group, start, end, period, calendar)
    if format == "csv":
        return PlainTextResponse(series_csv(rows, group, totals), media_type="text/csv")
    not_available = [] if group != "risk_domain" else [RISK_DOMAIN_HEADS, RISK_DOMAIN_LEAVERS]
    if wants_page(request) and "format" not in request.query_params:
        query = {"group": group, "start": start, "end": end, "period": period}
        return period_page(request, SERIES, rows, query, not_available)
    body = {"period": period, "rows": rows, "totals": totals, "not_available": not_available}
    return _envelope(group, start, end, **body)
