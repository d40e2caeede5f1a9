"""The operator's page: is the service healthy, and what in it needs looking at in Temporal.

Read-only and by codes only, as ``/metrics`` (no case content, names or references): the
readiness checks (database, Temporal, a polling worker), reviews left ``building`` and since
when (their first claim), open breaches by review, step and escalation level, each register's
recorded verification, and the mail outbox; each with a link to the Temporal Web UI where the
workflows concerned are (``NEARMISS_UI_ORIGIN``, or the dev server's UI port in development).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep
from api.register_runs import verification_runs
from api.routers.health import readiness
from api.web.register_words import running_words, status_words
from api.web.render import local_time, plural, render
from api.web.words import EXAMPLE_TITLES, humanize
from config.settings import Settings
from domain import names
from store.ops_metrics import building_review_ids, mail, open_breaches
from store.register_checks import recorded
from store.register_reads import heads

router = APIRouter(prefix="/app/operations", include_in_schema=False)
LEVELS = {"1": "reminder 1 to the step's role", "2": "escalated to the director (reminder 2)"}
BOARD = "escalated to the board (reminder 3 or later)"
CHECKS = (("database", "Database"), ("temporal", "Temporal server"), ("worker", "Polling worker"))


def temporal_ui(settings: Settings) -> str:
    """The Temporal Web UI's address: the first ``NEARMISS_UI_ORIGIN``, else in development the
    dev server's UI on loopback; "" when none is configured (the page says so)."""
    configured = [o.strip().rstrip("/") for o in settings.ui_origin.split(",") if o.strip()]
    if configured:
        return configured[0]
    if settings.env == "development":
        return f"http://127.0.0.1:{settings.temporal_ui_port}"
    return ""


def age_words(seconds: float) -> str:
    """A duration as people read it: "40 s", "16 min", "2 h", "3 h 20 min", "2 days 4 h"."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)} s"
    hours, rest = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{plural(days, 'day')} {hours} h"
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


class Links:
    """Links into the Temporal Web UI of this namespace (all "" without a UI address)."""

    def __init__(self, settings: Settings) -> None:
        self.base = temporal_ui(settings)
        self.namespace = f"{self.base}/namespaces/{quote(settings.temporal_namespace, safe='')}"

    def workflow(self, workflow_id: str) -> str:
        return f"{self.namespace}/workflows/{quote(workflow_id, safe='')}" if self.base else ""

    def search(self, query: str) -> str:
        return f"{self.namespace}/workflows?query={quote(query, safe='')}" if self.base else ""

    def schedule(self, schedule_id: str) -> str:
        return f"{self.namespace}/schedules/{quote(schedule_id, safe='')}" if self.base else ""


async def _building(session: AsyncSession, now: datetime, tz: str, links: Links) -> list[Any]:
    return [
        {
            "id": review_id,
            "since": local_time(since, tz),
            "age": age_words(max(0.0, (now - since).total_seconds())),
            "stuck": (now - since).total_seconds() > 15 * 60,  # NearmissReviewStuckBuilding
            "href": links.workflow(review_id),
        }
        for review_id, since in await building_review_ids(session)
    ]


async def _breaches(session: AsyncSession, now: datetime, links: Links) -> list[Any]:
    return [
        {
            "example": EXAMPLE_TITLES.get(c.labels[0], humanize(c.labels[0])),
            "step": humanize(c.labels[1]),
            "level": LEVELS.get(c.labels[2], BOARD),
            "count": int(c.value),
            "oldest": age_words(c.oldest_age),
            "href": links.search(f'Escalated = true AND Example = "{c.labels[0]}"'),
        }
        for c in await open_breaches(session, now)
    ]


async def _registers(request: Request, session: AsyncSession, links: Links) -> list[Any]:
    tz = request.app.state.settings.timezone
    rows, records = await heads(session), await recorded(session)
    runs = await verification_runs(request.app, [h.register for h in rows])
    return [
        {
            "title": humanize(head.register),
            "status": status_words(records.get(head.register), head.seq, tz),
            "running": running_words(runs[head.register].requested_at, tz)
            if head.register in runs and runs[head.register].running
            else "",
            # A link only to a run that exists (the nightly ones are the schedule's).
            "href": links.workflow(names.register_verification_id(head.register))
            if head.register in runs
            else "",
        }
        for head in rows
    ]


@router.get("", response_class=HTMLResponse)
async def operations(
    request: Request, session: SessionDep, _actor: Authorized, now: Now
) -> HTMLResponse:
    """The service's health and what needs looking at, as of now (nothing on it acts)."""
    settings: Settings = request.app.state.settings
    tz, links = settings.timezone, Links(settings)
    health = await readiness(request.app)
    mails, oldest_mail = await mail(session, now)
    breaches = await _breaches(session, now, links)
    context = {
        "as_of": local_time(now, tz, with_year=True),
        "checks": [(label, getattr(health, key)) for key, label in CHECKS],
        "ready": health.status == "ready",
        "building": await _building(session, now, tz, links),
        "breaches": breaches,
        "breach_total": sum(b["count"] for b in breaches),
        "registers": await _registers(request, session, links),
        "mail": {c.labels[0]: int(c.value) for c in mails},
        "oldest_mail": age_words(oldest_mail) if oldest_mail else "",
        "ui": links.base,
        "ui_schedule": links.schedule(names.SCHEDULE_REGISTER_VERIFICATION),
        "ui_escalated": links.search("Escalated = true"),
    }
    return render(request, "operations.html", context)
