"""``/analytics/workforce`` and ``/analytics/series`` as pages: the analytics layout
(``analytics.html``) with a table per ISO week or month (its provider-local dates in words)
instead of per review, a row per group, and the measures the feeds cannot support listed in
words. Each page shows the figures its JSON already has."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.web.analytics_page import (
    Column,
    Layout,
    analytics_page,
    hours,
    month_words,
    rate,
)
from api.web.render import local_date
from domain.analytics import PeriodKind

# Each page's default period: its route's default, and its refused range form's.
WORKFORCE_PERIOD: PeriodKind = "month"
SERIES_PERIOD: PeriodKind = "week"


def period_words(r: Mapping[str, Any]) -> str:
    """``November 2026`` for a whole month, else its local dates (``Mon 16 Nov 2026 to Sun 22
    Nov 2026``): a week, or a month clipped to the range."""
    label, first, last = str(r["period"]), str(r["first_day"]), str(r["last_day"])
    following = date.fromisoformat(last) + timedelta(days=1)
    if "W" not in label and first.endswith("-01") and following.day == 1:
        return month_words(label)
    return f"{local_date(first)} to {local_date(last)}"


def _period(r: Mapping[str, Any]) -> tuple[str, str, str]:
    return str(r["period"]), period_words(r), ""  # no review behind a period: no link


def _nested(family: str, key: str) -> Any:
    return lambda r: (r.get(family) or {}).get(key)


def _nested_share(family: str, numerator: str, denominator: str) -> Any:
    def shown(r: Mapping[str, Any]) -> str:
        figures = r.get(family) or {}
        return rate(int(figures.get(numerator) or 0), int(figures.get(denominator) or 0))

    return shown


def _median(family: str) -> Any:
    def shown(r: Mapping[str, Any]) -> str:
        figures = r.get(family) or {}
        return f"{hours(figures.get('median_hours'), figures.get('median_working_hours'))}" + (
            f" (n = {figures['n']})" if figures.get("n") else ""
        )

    return shown


def _plain(key: str) -> Any:
    return lambda r: "—" if r.get(key) is None else r.get(key)


def _leavers(side: str) -> Column:
    words = "Leavers exposed to weak response" if side == "exposed" else "Leavers not exposed"

    # Not summed over the range: a worker employed in two periods counts in both.
    def shown(r: Mapping[str, Any]) -> str:
        return rate(int(r.get(f"{side}_leavers") or 0), int(r.get(f"{side}_workers") or 0))

    return Column(words, shown, total=False)


def _hesitancy(r: Mapping[str, Any]) -> str:
    if r.get("hesitancy"):
        return f"Yes: below {r.get('hesitancy_lower_bound')} (expected {r['expected_reports']})"
    return "No" if r.get("expected_reports") is not None else "—"


WORKFORCE = Layout(
    path="/analytics/workforce",
    title="Reporting, speaking-up confidence and leavers by period",
    intro=(
        "Reports submitted, speaking-up confidence answers and leavers per ISO week or month "
        "(provider local dates). Leavers: workers employed at the period's start who left in "
        "it, exposed to a weak response to their reports or not."
    ),
    per="period",
    empty="No reports, confidence answers or workers in this range.",
    review=_period,
    columns=(
        Column("Reports", lambda r: r.get("reports", 0)),
        Column("Reporters", lambda r: r.get("reporters", 0), total=False),
        Column("Reports per 7 days", _plain("reports_per_7_days"), total=False),
        Column("Confidence answers", lambda r: r.get("responses", 0)),
        Column("Mean confidence score", _plain("mean_score"), total=False),
        Column("Low scores (1 or 2)", lambda r: r.get("low_scores", 0)),
        _leavers("exposed"),
        _leavers("not_exposed"),
    ),
)

SERIES = Layout(
    path="/analytics/series",
    title="Trends per period",
    intro=(
        "The dashboard's trends per ISO week or month (provider local dates): reports per "
        "head and the hesitancy flag, medians to first acknowledgment and to a named triage "
        "owner, leavers, confidence, and how the audits and reviews classed the period's "
        "closures."
    ),
    per="period",
    empty="No period in this range.",
    review=_period,
    columns=(
        Column("Reports", lambda r: r.get("reports", 0)),
        Column("Heads", _plain("heads"), total=False),
        Column("Reports per head", _plain("reports_per_head"), total=False),
        Column("Fewer reports than expected", _hesitancy, total=False),
        Column("Median to first acknowledgment", _median("to_first_acknowledgment"), False),
        Column("Median to a named triage owner", _median("to_named_triage_owner"), False),
        _leavers("exposed"),
        _leavers("not_exposed"),
        Column("Mean confidence score", _nested("confidence", "mean_score"), total=False),
        Column("Low confidence scores", _nested_share("confidence", "low_scores", "responses")),
        Column(
            "Visible learning closure",
            _nested_share("learning", "visible_learning_closure", "reconciled"),
        ),
        Column("Credible closures", _nested_share("closure", "credible", "reconciled")),
    ),
)


def merged(group: str, *families: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workforce JSON's lists (confidence, reporting, leavers) as one row per period and
    group, in period order."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for family in families:
        for r in family:
            rows.setdefault((str(r["period"]), str(r.get(group))), {}).update(r)
    return [rows[key] for key in sorted(rows)]


FAMILIES = ("confidence", "learning", "closure")  # the series' nested figures


def _summed(figures: list[Mapping[str, Any]]) -> dict[str, int]:
    """Each count summed over the periods (rates and intervals left out: shown from sums)."""
    keys = {k for f in figures for k, v in f.items() if isinstance(v, int) and k != "mean_score"}
    return {k: sum(int(f.get(k) or 0) for f in figures) for k in keys}


def period_page(
    request: Request,
    layout: Layout,
    rows: list[dict[str, Any]],
    query: Mapping[str, Any],
    not_available: list[dict[str, str]],
) -> HTMLResponse:
    """``rows`` (per period and group) as the analytics layout, with the period chooser."""
    totals = {family: _summed([r.get(family) or {} for r in rows]) for family in FAMILIES}
    return analytics_page(
        request,
        layout,
        rows,
        str(query["group"]),
        query["start"],
        query["end"],
        {},
        period=str(query["period"]),
        summed_extra=totals,
        not_available=[n["reason"] for n in not_available],
    )
