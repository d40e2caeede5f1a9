"""The home page: what the signed-in person owes now ("my work")."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import Now
from api.deps import Actor, SessionDep, SettingsDep
from api.owed_cursor import read_owed_cursor
from api.policy import EVIDENCE_READERS
from api.web.opening_notice import reviews_opening
from api.web.pack_words import pack_name
from api.web.render import plural, render
from api.web.words import member_label, role_label
from api.web.work_rows import WorkRow, work_rows
from config.settings import Settings
from domain import names
from domain.calendar import calendar_for
from domain.pack_periods import CYCLE_DAYS, nearest_cycle_starts, period_bounds
from domain.packs import PACKS
from domain.roles import GOVERNANCE_ROLES, Role
from domain.titles import lower_first
from store.my_work import COUNT_CAP, PAGE
from store.packs import listing_periods, waiting_ids
from store.pathways import count_absent_owner_pathways
from store.vacancies import vacant_roles

router = APIRouter(prefix="/app", include_in_schema=False)
EVIDENCE_DAYS = 90  # the evidence form's default range: the last quarter


def current_periods(settings: Settings, now: datetime) -> dict[str, str]:
    """Each pack kind's period to read now: this ISO week, the last ended month (this month's
    board pack reads last month's closures, adjudicated through the month: the walk found My
    work linking December's while still adjudicated), and for the fortnightly
    summary the last ended cycle (its audit runs on the first working day after it, and that
    summary is the one published then; none before the first cycle has ended)."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    year, week, _ = today.isocalendar()
    anchor = date.fromisoformat(settings.cycle_anchor)
    cycle, _ = nearest_cycle_starts(today, anchor)
    ended = cycle - timedelta(days=CYCLE_DAYS) if cycle else None
    return {
        names.PACK_WEEKLY: f"{year}-W{week:02d}",
        names.PACK_FORTNIGHTLY: ended.isoformat() if ended and ended >= anchor else "",
        names.PACK_MONTHLY: f"{today.replace(day=1) - timedelta(days=1):%Y-%m}",
    }


def current_packs(settings: Settings, now: datetime) -> list[tuple[str, str]]:
    """Each pack kind's current period as (title, page link)."""
    periods = current_periods(settings, now)
    return [
        (pack_name(spec.title, kind, periods[kind]), f"/app/packs/{kind}/{periods[kind]}")
        for kind, spec in PACKS.items()
        if periods.get(kind)
    ]


async def publish_rows(
    session: AsyncSession, actor: Actor, settings: Settings, now: datetime
) -> list[WorkRow]:
    """A pack to publish, for the role that publishes it, while accepted pathways wait for it
    (they become active only when it is published): the pack that lists them (each waiting
    case is listed by one pack, store.packs.listing_periods)."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    calendar = calendar_for(settings.calendar_config())
    anchor = date.fromisoformat(settings.cycle_anchor)
    rows = []
    for kind, spec in PACKS.items():
        if spec.publisher not in actor.roles:
            continue
        accepted = set(await waiting_ids(session, spec.example))
        listed = await listing_periods(session, spec, calendar, anchor)
        per_period = Counter(p for case_id, p in listed.items() if case_id in accepted)
        for period, waiting in sorted(per_period.items()):
            if period_bounds(kind, period, anchor).first > today:
                continue  # its period has not begun: the pack cannot be generated yet
            href = f"/app/packs/{kind}/{period}"
            title = pack_name(lower_first(spec.title), kind, period)
            rows.append(
                WorkRow(
                    what=f"Publish the {title} ({plural(waiting, 'case')} waiting)",
                    which=f"{plural(waiting, 'accepted pathway')} awaiting visibility",
                    which_href=href,
                    exposure="—",
                    service_line="—",
                    due_at=None,
                    due="when the pack is ready",
                    left="no deadline",
                    escalation="pathways become active when it is published",
                    css="",
                    href=href,
                )
            )
    return rows


@router.get("", response_class=HTMLResponse)
async def my_work(
    request: Request,
    actor: Authorized,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> HTMLResponse:
    """What the signed-in person owes now, soonest due first, a page at a time (the most
    urgent first; how many are owed in all, by how soon they are due, above it)."""
    after = read_owed_cursor(cursor) if cursor else None
    work = await work_rows(session, actor, now, settings, after)
    rows = work.rows
    if after is None:
        rows += await publish_rows(session, actor, settings, now)
    admin: dict[str, object] = {}
    if Role.ADMINISTRATOR in actor.roles:
        today = now.astimezone(ZoneInfo(settings.timezone)).date()
        admin = {
            "vacant": [role_label(role) for role in await vacant_roles(session, today)],
            "absent": await count_absent_owner_pathways(session, today),
        }
    context = {
        "admin": admin,
        "actor": actor,
        "rows": rows,
        "work": work,
        "first_page": after is None,
        "page_size": PAGE,
        "count_cap": COUNT_CAP,
        "total": work.counts.total + work.reviews + sum(1 for row in rows if row.due_at is None),
        "roles": [member_label(role) for role in sorted(actor.roles)],
        "governance": bool(actor.roles & GOVERNANCE_ROLES),
        "evidence": bool(actor.roles & EVIDENCE_READERS),
        "operator": Role.OPERATOR in actor.roles,
        "opening": (
            await reviews_opening(request, session, actor, now)
            if after is None and actor.roles & GOVERNANCE_ROLES
            else []
        ),
        "packs": current_packs(settings, now),
        "evidence_to": now.astimezone(ZoneInfo(settings.timezone)).date(),
        "evidence_from": (
            now.astimezone(ZoneInfo(settings.timezone)).date() - timedelta(days=EVIDENCE_DAYS)
        ),
    }
    return render(request, "my_work.html", context)
