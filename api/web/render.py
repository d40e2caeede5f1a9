"""Rendering pages: one Jinja2 environment, provider local time, the page shell's context.

Templates stay logic-light: they receive display-ready values and use these filters for times
(``local_time``: "Mon 7 Dec, 17:00" in the provider's zone) and plurals (``plural``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.web.navigation import navigation
from api.web.session import CSRF_FIELD, csrf_token
from api.web.words import member_label
from domain.mail_words import capital, case_words
from domain.report import day_words
from domain.titles import lower_first

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def shown_value(value: Any) -> Any:
    """What a template's ``{{ value }}`` prints: a missing value (None) as an em dash, never
    Python's "None" (set before any template is compiled: Jinja applies it as it compiles)."""
    return "—" if value is None else value


templates.env.finalize = shown_value


def case_name(case: Any) -> str:
    """A case's heading on every page: "Report NM-10007", "Closed case CC-0002 (report
    NM-10039)" (its ID stays in URLs and JSON)."""
    return capital(case_words(case.case_id, case.reference))


templates.env.filters["case_name"] = case_name
# The first letter only (Jinja's ``capitalize`` lowers the rest: "report NM-1" → "Report nm-1").
templates.env.filters["capital"] = capital
templates.env.filters["lower_first"] = lower_first


def local_time(value: datetime | str | None, tz: str, *, with_year: bool = False) -> str:
    """An instant as the provider reads it: "Mon 7 Dec, 17:00" (empty for None)."""
    if value is None or value == "":
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(ZoneInfo(tz))
    year = f" {local.year}" if with_year else ""
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"


def local_date(value: date | str | None) -> str:
    """A calendar date as "Mon 7 Dec 2026" (empty for None)."""
    if value is None or value == "":
        return ""
    return day_words(value)


ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b(?![T ]\d)")  # a calendar date, not an instant


def dates_in_words(text: str) -> str:
    """Calendar dates inside a message as pages show them: "due on 2026-12-08" → "due on Tue
    8 Dec 2026" (the API keeps ISO dates; a page shows words)."""

    def words(match: re.Match[str]) -> str:
        try:
            return local_date(match.group(0))
        except ValueError:  # digits shaped like a date but not one
            return match.group(0)

    return ISO_DAY.sub(words, text)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 case``, ``2 cases`` (or the given plural form)."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def role_names(roles: Iterable[str]) -> str:
    """Roles as the spec names them, comma-separated ("Near-Miss Governance Supervisor, …";
    the worker role as "staff member")."""
    return ", ".join(member_label(role) for role in sorted(roles))


def shell_header(request: Request) -> str:
    """The page shell's header and navigation alone (``_top.html``), for a page not built on
    ``base.html`` (the dashboard), so it shows the one navigation every staff page shows."""
    context = {
        "signed_in": request.session.get("sub"),
        "nav": navigation(request),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
    }
    return templates.get_template("_top.html").render(context)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """``template`` rendered with the page shell's context (who is signed in, CSRF, time zone)."""
    settings = request.app.state.settings
    tz = settings.timezone
    base: dict[str, Any] = {
        "request": request,
        "tz": tz,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "signed_in": request.session.get("sub"),
        "dev_mode": settings.env == "development",
        "local_time": lambda value, **kw: local_time(value, tz, **kw),
        "local_date": local_date,
        "plural": plural,
        "role_names": role_names,
        "nav": navigation(request),
        # where a worker reports a near miss (``_report_here.html``)
        "platform": (settings.incident_platform_name.strip(), settings.incident_platform_url),
    }
    base.update(context or {})
    return templates.TemplateResponse(request, template, base, status_code=status)
