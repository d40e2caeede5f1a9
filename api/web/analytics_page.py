"""The ``/analytics`` endpoints as pages, when a browser opens them (a signed-in person following
a link, not a client asking for JSON): one layout (``analytics.html``) for every endpoint: the
range and grouping in a form, the pages linked to each other, totals over the range, and a table
per review (its date or period linked to the review's page, its as-of time in provider local
time) with one row per group. Each endpoint's page shows the figures its JSON already has.
The layouts themselves: ``api.web.analytics_reviews`` (per review), ``api.web.analytics_periods``
(per week or month)."""

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


@dataclass(frozen=True)
class Column:
    """One figure of a row: its heading and how a row (or the range's sums) shows it."""

    label: str
    shown: Callable[[Mapping[str, Any]], Any]
    total: bool = True  # also shown over the range (from the summed counts)
    total_label: str = ""  # its words over the range, when they differ (a sum over the reviews)


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
    totals_note: str = ""  # how the range's figures add up the reviews' rows


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
        "totals": [(c.total_label or c.label, c.shown(summed)) for c in layout.columns if c.total],
        "totals_note": layout.totals_note,
    }
    return render(request, "analytics.html", context)


def month_words(month: str) -> str:
    return date.fromisoformat(f"{month}-01").strftime("%B %Y")
