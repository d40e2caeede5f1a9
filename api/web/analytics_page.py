"""``/analytics/acknowledgment`` as a page, when a browser opens it (a signed-in person following
a link, not a client asking for JSON): the range and grouping in words, one table row per review
date and group, the medians in hours and working hours, each review linked to its page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.web.render import local_date, local_time, render
from domain.names import ack_review_id

GROUP_WORDS = {
    "service_line": "service line",
    "manager_line": "manager line",
    "risk_domain": "risk domain",
}


def wants_page(request: Request) -> bool:
    """A browser's own navigation (it asks for text/html, with its session, no bearer token):
    the page; any API client (JSON, ``*/*``, a token) keeps the JSON it always had."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "authorization" not in request.headers


def _hours(hours: Any, working: Any) -> str:
    if hours is None:
        return "—"
    within = f" · {working:.1f} working h" if working is not None else ""
    return f"{hours:.1f} h{within}"


def acknowledgment_page(
    request: Request,
    rows: list[dict[str, Any]],
    group: str,
    start: date,
    end: date,
    as_of: Mapping[str, datetime],
) -> HTMLResponse:
    """The rows of ``acknowledgment_trends`` as a table per review date (``as_of``: each
    review date's as-of instant, shown in provider local time)."""
    tz = request.app.state.settings.timezone
    shown = [
        {
            "review": local_date(r["review_date"]),
            "date": str(r["review_date"]),
            "href": f"/app/reviews/{ack_review_id(str(r['review_date']))}",
            "group": r.get(group) or "unknown",
            "reports": r["reports"],
            "within": r.get("within_tolerance", 0),
            "emerging": r.get("emerging", 0),
            "critical": r.get("critical", 0),
            "exceptions": r.get("exceptions", 0),
            "no_owner": r.get("no_named_triage_owner", 0),
            "ack": _hours(
                r.get("median_hours_to_first_acknowledgment"),
                r.get("median_working_hours_to_first_acknowledgment"),
            ),
            "triage": _hours(
                r.get("median_hours_to_triage"), r.get("median_working_hours_to_triage")
            ),
        }
        for r in rows
    ]
    days: dict[str, dict[str, Any]] = {}
    for row in shown:
        day = days.setdefault(row["review"], {"review": row["review"], "href": row["href"]})
        instant = as_of.get(row["date"])
        day["as_of"] = local_time(instant, tz).partition(", ")[2] if instant else ""
        day.setdefault("rows", []).append(row)
    context = {
        "days": list(days.values()),
        "group": group,
        "group_words": GROUP_WORDS.get(group, group),
        "groups": GROUP_WORDS,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "range_words": f"{local_date(start)} to {local_date(end)}",
        "reviews": len({r["review_date"] for r in rows}),
        "totals": {
            key: sum(int(r[key]) for r in shown)
            for key in ("reports", "within", "emerging", "critical", "exceptions", "no_owner")
        },
    }
    return render(request, "analytics_acknowledgment.html", context)
