"""Retention analytics per ISO week or month: ``/analytics/workforce`` (speaking-up
confidence, reporting rate, leavers) and ``/analytics/series`` (the dashboard's time axis).

Like the per-review endpoints (``api.routers.analytics``), each reads the stored reviews and feeds
only, and its docstring is the OpenAPI description defining every measure.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from api.analytics_range import PAGE, PeriodAsk, envelope
from api.guard import GuardedRoute
from api.series_csv import series_csv
from api.web.analytics_page import wants_page
from api.web.analytics_periods import (
    SERIES,
    SERIES_PERIOD,
    WORKFORCE,
    WORKFORCE_PERIOD,
    merged,
    period_page,
)
from domain.analytics import RISK_DOMAIN_HEADS, RISK_DOMAIN_LEAVERS
from domain.calendar import calendar_for
from store.analytics_leavers import leaver_trends
from store.analytics_series import series
from store.analytics_workforce import confidence_trends, reporting_trends

router = APIRouter(prefix="/analytics", tags=["analytics"], route_class=GuardedRoute)
WorkforceAsk = Annotated[PeriodAsk, Depends(partial(PeriodAsk, period=WORKFORCE_PERIOD))]
SeriesAsk = Annotated[PeriodAsk, Depends(partial(PeriodAsk, period=SERIES_PERIOD))]


@router.get("/workforce", responses=PAGE)
async def workforce(ask: WorkforceAsk) -> Any:
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
    session, group, start, end, period = ask.session, ask.group, ask.start, ask.end, ask.period
    zone = ask.settings.timezone
    not_available: list[dict[str, str]] = []  # reports per head: /analytics/series
    leavers: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    if group == "risk_domain":
        not_available.append(RISK_DOMAIN_LEAVERS)
    else:
        leavers, totals = await leaver_trends(session, group, start, end, period, zone)
    confidence = await confidence_trends(session, group, start, end, period, zone)
    reporting = await reporting_trends(session, group, start, end, period, zone)
    if wants_page(ask.request):
        rows = merged(group, reporting, confidence, leavers)
        return period_page(ask.request, WORKFORCE, rows, ask.query(), not_available)
    return envelope(
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
    ask: SeriesAsk,
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
    group, start, end, period, request = ask.group, ask.start, ask.end, ask.period, ask.request
    calendar = calendar_for(ask.settings.calendar_config())
    rows, totals = await series(ask.session, group, start, end, period, calendar)
    if format == "csv":
        return PlainTextResponse(series_csv(rows, group, totals), media_type="text/csv")
    not_available = [] if group != "risk_domain" else [RISK_DOMAIN_HEADS, RISK_DOMAIN_LEAVERS]
    if wants_page(request) and "format" not in request.query_params:
        return period_page(request, SERIES, rows, ask.query(), not_available)
    body = {"period": period, "rows": rows, "totals": totals, "not_available": not_available}
    return envelope(group, start, end, **body)
