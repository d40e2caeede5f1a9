"""The inspection evidence pack: one document for a date range (and optionally a service line) as
JSON, HTML, PDF, or a ZIP of CSVs with the page, for inspectors, the board and governance roles."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep
from api.errors import FieldError, Unprocessable
from api.evidence_registers import registers_section
from api.guard import GuardedRoute
from api.report_html import render_html
from api.report_pdf import render_pdf
from domain.calendar import CalendarConfig, calendar_for
from domain.pack_periods import long_date
from domain.report import Doc, document, local_minute, section, text
from store.evidence import Scope, closure_credibility, example_sections, learning_visible
from store.evidence_more import chronologies, trends
from store.pack_common import window

router = APIRouter(prefix="/evidence", tags=["evidence"], route_class=GuardedRoute)
MAX_DAYS = 366
MAPPING = (
    "Mapped to the CQC quality statement “learning culture” (staff are encouraged to speak up, "
    "concerns are acted on and learning is shared) and to PSIRF’s expectations (compassionate "
    "engagement, a proportionate response, learning and improvement, oversight)."
)


async def build(
    session: AsyncSession,
    request: Request,
    start: date,
    end: date,
    line: str | None,
    zone_config: CalendarConfig,
    now: datetime,
) -> Doc:
    calendar = calendar_for(zone_config)
    scope = Scope(window(start, end + timedelta(days=1), calendar), line)
    sections = [
        section(
            "About this evidence pack",
            text(MAPPING),
            text(
                "Figures come from the stored reviews, case projections, breaches and registers; "
                "each step's timing is judged against the deadline recorded when it opened."
            ),
        ),
        *await example_sections(session, scope, now),
        await learning_visible(session, scope),
        await closure_credibility(session, scope),
        await trends(session, scope, start, end),
        await chronologies(session, scope, start, end),
        await registers_section(session, request, scope, now),
    ]
    subtitle = f"{long_date(start)} to {long_date(end)} — " + (
        f"service line {line}" if line else "all service lines"
    )
    return document("Inspection evidence pack", subtitle, sections, period=f"{start}_{end}")


DEFAULT_DAYS = 90  # `from` defaults to 90 days before `to`: 13 weeks inclusive


def local_day(now: datetime, zone: str) -> date:
    """The provider-local calendar date of ``now``."""
    return now.astimezone(ZoneInfo(zone)).date()


def evidence_range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """[from, to] with the defaults filled in; a reversed, over-long or not yet ended range (`to`
    after TODAY, the app clock's local date: a pack of days still to come would present them
    as evidence) is a 422 on `to`."""
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if end < start:  # in the analytics range check's words (``api.analytics_range``)
        raise Unprocessable("invalid range", [FieldError(field="to", message="before `from`")])
    if end > today:
        message = f"after today ({long_date(today)}): the pack covers days that have ended"
        raise Unprocessable("invalid range", [FieldError(field="to", message=message)])
    if (end - start).days >= MAX_DAYS:
        message = f"at most {MAX_DAYS} days after `from`"
        raise Unprocessable("invalid range", [FieldError(field="to", message=message)])
    return start, end


def _zip(doc: Doc, page: str) -> bytes:
    """The page and one CSV per table (named by section and table)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("evidence.html", page)
        n = 0
        for s in doc["sections"]:
            for b in s["blocks"]:
                if b["type"] != "table":
                    continue
                n += 1
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerow(b["columns"])
                writer.writerows(b["rows"])
                archive.writestr(f"{n:02d}-{s['id']}.csv", buffer.getvalue())
    return out.getvalue()


@router.get(
    "",
    responses={200: {"content": {"text/html": {}, "application/pdf": {}, "application/zip": {}}}},
)
async def evidence(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _actor: Authorized,
    now: Now,
    start: Annotated[
        date | None,
        Query(
            alias="from",
            description="first local day (inclusive); default: 90 days before `to` "
            "(13 weeks with `to`)",
        ),
    ] = None,
    end: Annotated[
        date | None,
        Query(alias="to", description="last local day (inclusive); default: today (local)"),
    ] = None,
    service_line: Annotated[str | None, Query(max_length=128)] = None,
    format: Annotated[Literal["json", "html", "pdf", "zip"], Query()] = "json",
) -> Any:
    """The evidence pack for [from, to] (provider-local days, at most a year): each example's
    deadline performance, breaches by level and how long they stayed open, pathways opened and
    validated, learning made visible, closure credibility, confidence and retention trends, a
    reproducible sample of case chronologies, and every register's last full verification with
    the entries added since checked now.

    Range: `to` defaults to today (local) and `from` to 90 days before `to`, so with neither
    the pack covers the last quarter (13 weeks, today included). A `to` before `from`, after
    today (local), or more than 366 days after `from`, is a 422 naming `to`; a malformed date a
    422 naming its field."""
    start, end = evidence_range(start, end, local_day(now, settings.timezone))
    doc = await build(
        session,
        request,
        start,
        end,
        service_line or None,
        settings.calendar_config(),
        now,
    )
    lines = [f"Generated at {local_minute(now, settings.timezone)}."]
    if format == "json":
        return doc
    page = render_html(doc, lines)
    if format == "html":
        return HTMLResponse(page)
    name = f"evidence-{start}-{end}"
    if format == "pdf":
        body = await asyncio.to_thread(render_pdf, doc, lines, settings.pdf_font_dir)
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
        )
    return Response(
        _zip(doc, page),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
    )
