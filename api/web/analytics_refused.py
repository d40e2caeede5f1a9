"""An analytics page asked for a range it cannot show (a date that is not one, ``to`` before
``from``, a range too wide): the page's range form again, the values as asked, each refused
field's reason beside it, status 422. JSON clients keep the API's 422 body."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic_core import ErrorDetails

from api.authz import has_session
from api.clock import request_now
from api.errors import ApiError
from api.web.analytics_page import GROUP_WORDS, PERIODS, RECENT_DAYS, Layout, page_links, wants_page
from api.web.analytics_periods import SERIES, SERIES_PERIOD, WORKFORCE, WORKFORCE_PERIOD
from api.web.analytics_reviews import ACKNOWLEDGMENT, CLOSURE, LEARNING, TRIAGE
from api.web.plain_errors import plain_message
from api.web.render import render
from domain.report import day_words
from domain.titles import capital

LAYOUTS = {x.path: x for x in (ACKNOWLEDGMENT, TRIAGE, LEARNING, CLOSURE, WORKFORCE, SERIES)}
PERIOD_PAGES = {WORKFORCE.path: WORKFORCE_PERIOD, SERIES.path: SERIES_PERIOD}  # their defaults

# The range's bounds in words (pydantic's own say "greater than or equal to 2000-01-01"), the
# bound read from the error (the route's ``EARLIEST`` and ``LATEST``).
BOUNDS = {
    "greater_than_equal": ("ge", "The first date the service counts from is {}."),
    "less_than_equal": ("le", "The last date the service counts to is {}."),
}


def validation_words(errors: Iterable[ErrorDetails]) -> dict[str, str]:
    """Each refused query field's reason in the forms' words (``api.web.plain_errors``), the
    value asked for named when it is not a date."""
    found: dict[str, str] = {}
    for e in errors:
        loc = [str(part) for part in e.get("loc", ())]
        if len(loc) != 2 or loc[0] != "query":
            continue
        words = f"{plain_message(e)}."
        if e["type"] in BOUNDS:
            key, sentence = BOUNDS[e["type"]]
            words = sentence.format(day_words(str(e.get("ctx", {})[key])))
        if "parsing" in e["type"] and e.get("input"):
            words = f"{plain_message(e)} (“{e['input']}” is not one)."
        found.setdefault(loc[1], words)
    return found


def refusal_words(exc: ApiError) -> dict[str, str]:
    """The range check's reasons ("before `from`"), the field named as the form labels it."""
    found: dict[str, str] = {}
    for e in exc.errors:
        message = e["message"].replace("`from`", "the From date")
        found.setdefault(e["field"], f"{capital(message)}.")
    return found


def refused_fields(request: Request, exc: Exception) -> dict[str, str] | None:
    """Each refused field's reason in words, for a signed-in browser asking for a page whose
    range query was refused (a validation error or the range check's 422); None for anything
    else (an API client, another error), which keeps its JSON."""
    if not has_session(request) or not wants_page(request):
        return None
    if isinstance(exc, RequestValidationError):
        return validation_words(exc.errors())
    if isinstance(exc, ApiError) and exc.status_code == 422:
        return refusal_words(exc)
    return None


async def refused_range(request: Request, exc: Exception) -> HTMLResponse | None:
    """The analytics page with its form and the reasons, for a signed-in browser's refused
    range; None for anything else (an API client, another path, another error)."""
    layout = LAYOUTS.get(request.url.path)
    errors = refused_fields(request, exc) if layout is not None else None
    if layout is None or errors is None:
        return None
    today = (await request_now(request)).astimezone(ZoneInfo(_zone(request))).date()
    recent = f"from={today - timedelta(days=RECENT_DAYS - 1)}&to={today}"
    context = _context(request, layout, errors, recent)
    return render(request, "analytics.html", context, status=422)


def _zone(request: Request) -> str:
    return str(request.app.state.settings.timezone)


def _context(
    request: Request, layout: Layout, errors: dict[str, str], recent: str
) -> dict[str, Any]:
    """The form as asked; the other pages linked over the last four weeks (a valid range)."""
    asked = request.query_params
    group = asked.get("group", "service_line")
    group = group if group in GROUP_WORDS else "service_line"
    default_period = PERIOD_PAGES.get(layout.path, "")
    return {
        "title": layout.title,
        "intro": layout.intro,
        "path": layout.path,
        "pages": page_links(layout, f"{recent}&group={group}"),
        "refused": True,
        "errors": errors,
        "start": asked.get("from", ""),
        "end": asked.get("to", ""),
        "group": group,
        "groups": GROUP_WORDS,
        "period": asked.get("period", default_period) if default_period else "",
        "periods": PERIODS,
    }
