"""The ``/analytics`` endpoints as pages, when a browser opens them (a signed-in person following
a link, not a client asking for JSON): one layout (``analytics.html``) for every endpoint: the
range and grouping in a form, the pages linked to each other, totals over the range, and a table
per review (its date or period linked to the review's page, its as-of time in provider local
time) with one row per group. Each endpoint's page shows the figures its JSON already has."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.authz import Authorized
from api.clock import Now
from api.web.render import local_date, local_time, render
from domain.names import EXAMPLE_CREDIBILITY, ack_review_id
from domain.reviews import review_id as review_id_of
from domain.roles import ROLE_NAMES
from domain.titles import capital

router = APIRouter(prefix="/app/analytics", include_in_schema=False)
RECENT_DAYS = 28  # the navigation's Analytics link: the last four weeks up to today

GROUP_WORDS = {
    "service_line": "service line",
    "manager_line": "manager line",
    "risk_domain": "risk domain",
}

# The analytics pages, linked from each other in this order: (path, link text).
PAGES = (
    ("/analytics/acknowledgment", "Acknowledgment and triage"),
    ("/analytics/triage", "Under-triage by category"),
    ("/analytics/learning", "Learning visibility"),
    ("/analytics/closure", "Closure credibility"),
    ("/analytics/workforce", "Reporting, confidence and leavers"),
    ("/analytics/series", "Trends per period"),
)
PERIODS = {"week": "ISO week", "month": "month"}


@router.get("")
async def recent(request: Request, now: Now, _actor: Authorized) -> RedirectResponse:
    """The navigation's Analytics link: the acknowledgment page over the last four weeks up to
    today (provider local dates); its form and links lead to the others."""
    today = now.astimezone(ZoneInfo(request.app.state.settings.timezone)).date()
    first = today - timedelta(days=RECENT_DAYS - 1)
    return RedirectResponse(f"/analytics/acknowledgment?from={first}&to={today}", status_code=303)


def page_links(layout: Layout, query: str) -> list[dict[str, Any]]:
    """The analytics pages over the same range and grouping (QUERY), the one shown marked."""
    return [
        {"href": f"{path}?{query}", "text": text, "current": path == layout.path}
        for path, text in PAGES
    ]


def wants_page(request: Request) -> bool:
    """A browser's own navigation (it asks for text/html, with its session, no bearer token):
    the page; any API client (JSON, ``*/*``, a token) keeps the JSON it always had."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "authorization" not in request.headers


def hours(value: Any, working: Any) -> str:
    """``3.5 h · 2.0 working h`` (``—`` without a figure)."""
    if value is None:
        return "—"
    within = f" · {working:.1f} working h" if working is not None else ""
    return f"{value:.1f} h{within}"


def rate(numerator: int, denominator: int) -> str:
    """``67% (2 of 3)``; a 0 denominator has no rate (``— (0 of 0)``)."""
    share = f"{round(100 * numerator / denominator)}%" if denominator else "—"
    return f"{share} ({numerator} of {denominator})"


_ROLE_WORDS = {str(role.value): name for role, name in ROLE_NAMES.items()}


def _by(counts: Mapping[str, int] | None) -> str:
    """``Near-Miss Governance Supervisor: 2, R2: 1``: a role by its name, any other key as it
    is (``None`` when empty)."""
    named = sorted((_ROLE_WORDS.get(key, key), n) for key, n in (counts or {}).items())
    return ", ".join(f"{name}: {n}" for name, n in named) or "None"


@dataclass(frozen=True)
class Column:
    """One figure of a row: its heading and how a row (or the range's sums) shows it."""

    label: str
    shown: Callable[[Mapping[str, Any]], Any]
    total: bool = True  # also shown over the range (from the summed counts)


def _count(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda r: r.get(key, 0)


def _share(numerator: str, denominator: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda r: rate(int(r.get(numerator, 0)), int(r.get(denominator, 0)))


@dataclass(frozen=True)
class Layout:
    """What differs between the analytics pages; everything else is the one template."""

    path: str
    title: str
    intro: str
    per: str  # "review date", "audit cycle", "monthly review"
    empty: str
    columns: tuple[Column, ...]
    review: Callable[[Mapping[str, Any]], tuple[str, str, str]]  # (key, words, review id)
    head: Callable[[Mapping[str, Any], str], str] = lambda r, group: r.get(group) or "unknown"
    head_suffix: str = ""  # the row heading's words after the group's ("· category")


def analytics_page(
    request: Request,
    layout: Layout,
    rows: list[dict[str, Any]],
    group: str,
    start: date,
    end: date,
    as_of: Mapping[str, datetime],
    *,
    period: str = "",
    summed_extra: Mapping[str, Any] | None = None,
    not_available: list[str] | None = None,
) -> HTMLResponse:
    """``rows`` (an endpoint's JSON rows, oldest review first) as a table per review; ``as_of``:
    each review id's as-of instant, shown in provider local time. ``period`` (week or month)
    adds the period chooser; ``summed_extra``: range sums of nested figures."""
    tz = request.app.state.settings.timezone
    reviews: dict[str, dict[str, Any]] = {}
    for r in rows:
        key, words, review_id = layout.review(r)
        instant = as_of.get(review_id)
        shown = reviews.setdefault(
            key,
            {
                "words": words,
                "href": f"/app/reviews/{review_id}" if review_id else "",
                "as_of": local_time(instant, tz).partition(", ")[2] if instant else "",
                "rows": [],
            },
        )
        cells = [(c.label, c.shown(r)) for c in layout.columns]
        shown["rows"].append({"head": layout.head(r, group), "cells": cells})
    summed: dict[str, Any] = {
        key: sum(int(r.get(key) or 0) for r in rows)
        for key in {k for r in rows for k, v in r.items() if isinstance(v, int | float)}
    }
    summed.update(summed_extra or {})
    shared = f"from={start.isoformat()}&to={end.isoformat()}&group={group}"
    query = f"{shared}&period={period}" if period else shared
    context = {
        "title": layout.title,
        "intro": layout.intro,
        "path": layout.path,
        "per": layout.per,
        "empty": layout.empty,
        "pages": page_links(layout, shared),
        "query": query,
        "period": period,
        "periods": PERIODS,
        "not_available": not_available or [],
        "reviews": list(reviews.values()),
        "group": group,
        "group_words": GROUP_WORDS.get(group, group),
        "groups": GROUP_WORDS,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "range_words": f"{local_date(start)} to {local_date(end)}",
        "columns": [c.label for c in layout.columns],
        "head_label": f"{capital(GROUP_WORDS.get(group, group))}{layout.head_suffix}",
        "totals": [(c.label, c.shown(summed)) for c in layout.columns if c.total],
    }
    return render(request, "analytics.html", context)


def _daily(r: Mapping[str, Any]) -> tuple[str, str, str]:
    day = str(r["review_date"])
    return day, f"Review of {local_date(day)}", ack_review_id(day)


ACKNOWLEDGMENT = Layout(
    path="/analytics/acknowledgment",
    title="Acknowledgment and triage by review date",
    intro=(
        "The daily acknowledgment and triage reviews. Times to first acknowledgment and to "
        "triage are medians over the classified reports, in hours and in the provider's "
        "working hours."
    ),
    per="review date",
    empty="No daily review in this range.",
    review=_daily,
    columns=(
        Column("Reports", _count("reports")),
        Column("Within tolerance", _count("within_tolerance")),
        Column("Emerging", _count("emerging")),
        Column("Critical", _count("critical")),
        Column("Exceptions", _count("exceptions")),
        Column("No named triage owner", _count("no_named_triage_owner")),
        Column(
            "Median to first acknowledgment",
            lambda r: hours(
                r.get("median_hours_to_first_acknowledgment"),
                r.get("median_working_hours_to_first_acknowledgment"),
            ),
            total=False,
        ),
        Column(
            "Median to triage",
            lambda r: hours(
                r.get("median_hours_to_triage"), r.get("median_working_hours_to_triage")
            ),
            total=False,
        ),
    ),
)

TRIAGE = Layout(
    path="/analytics/triage",
    title="Under-triage by near-miss category",
    intro=(
        "The daily acknowledgment and triage reviews, per near-miss category, over each "
        "review's classified reports (exceptions left out). Under-triaged: classed emerging "
        "or critical."
    ),
    per="review date",
    empty="No daily review in this range.",
    review=_daily,
    head=lambda r, group: f"{r.get(group) or 'unknown'} · {r.get('category_code') or 'unknown'}",
    head_suffix=" · category",
    columns=(
        Column("Classified", _count("classified")),
        Column("Under-triage rate", _share("under_triaged", "classified")),
        Column("Triage over threshold", _count("triage_over_threshold")),
        Column("No named triage owner", _count("no_named_triage_owner")),
        Column("Manager not reviewed", _count("manager_not_reviewed")),
    ),
)

LEARNING = Layout(
    path="/analytics/learning",
    title="Learning visibility by audit cycle",
    intro=(
        "The fortnightly learning-visibility audits whose cycle starts in the range, as each "
        "audit recorded them. Rates count reconciled reports only."
    ),
    per="audit cycle",
    empty="No fortnightly audit of a cycle starting in this range.",
    review=lambda r: (
        str(r["cycle_start"]),
        f"Audit of the cycle from {local_date(str(r['cycle_start']))}",
        str(r["review_id"]),
    ),
    columns=(
        Column("Closed reports", _count("closed_reports")),
        Column("Exceptions", _count("exceptions")),
        Column("Visible learning closure", _count("visible_learning_closure")),
        Column("Emerging", _count("emerging")),
        Column("Critical", _count("critical")),
        Column("Feedback to reporter", _share("feedback_to_reporter", "reconciled")),
        Column("Shared learning", _share("shared_learning_issued", "shared_learning_required")),
        Column("Recurred within 30 days", _share("recurrence_within_30_days", "reconciled")),
    ),
)


def month_words(month: str) -> str:
    return date.fromisoformat(f"{month}-01").strftime("%B %Y")


CLOSURE = Layout(
    path="/analytics/closure",
    title="Closure credibility by month",
    intro=(
        "The monthly closure-credibility reviews of months overlapping the range, as each "
        "review classed the closures. Confirmations and reopenings are read today; rates "
        "count reconciled closures only."
    ),
    per="monthly review",
    empty="No monthly review of a month in this range.",
    review=lambda r: (
        str(r["month"]),
        f"Review of {month_words(str(r['month']))}",
        review_id_of(EXAMPLE_CREDIBILITY, str(r["month"])),
    ),
    columns=(
        Column("Closures", _count("closures")),
        Column("Exceptions", _count("exceptions")),
        Column("Credible", _count("credible")),
        Column("Doubtful", _count("doubtful")),
        Column("Failed", _count("failed")),
        Column("Employee confirmed", _share("employee_confirmed", "reconciled")),
        Column("Employee disputed", _count("employee_disputed")),
        Column("Reopened within 30 days", _share("reopened_within_30_days", "reconciled")),
        Column("Repeated doubtful closures", _count("repeated_doubtful_closures")),
        Column(
            "Doubtful or failed by reviewing role",
            lambda r: _by(r.get("doubtful_or_failed_by_reviewer")),
            total=False,
        ),
    ),
)
