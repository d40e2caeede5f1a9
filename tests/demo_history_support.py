"""The demo history tests' as-of and readers: the demo loaded at an as-of, the packs and staff the
past cases were published by, a pack's or document's section by title, a case's stages in order,
and whether a section shows anything."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cli.demo_cmd import load_demo_data
from cli.demo_data import generate
from domain import names
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.learning import DEFAULT_ANCHOR
from domain.packs import PACKS
from domain.roles import Role
from store import packs as pack_store
from store.staff import staff_with_role
from store.tables import CaseEvent, Pack

# Monday 30 November 2026 07:00: the 28 days before are 2-29 November, 20 working days (no bank
# holiday); cycles start 5 January + 14 k (... 12 and 26 October, 9 and 23 November): the last
# ended is 9-22 November (the demo's own audit), so the history has 12 and 26 October.
AS_OF = datetime(2026, 11, 30, 7, 0, tzinfo=ZoneInfo("Europe/London"))
CALENDAR = BusinessCalendar(CalendarConfig())


async def load_demo(database_url: str, as_of: datetime = AS_OF) -> None:
    """The generated demo feeds (seed 7, 120 reports) at ``as_of``, loaded now."""
    await load_demo_data(database_url, generate(7, 120, as_of), datetime.now(UTC))


async def inspector_id(session: Any) -> str:
    return (await staff_with_role(session, Role.INSPECTOR))[0].employee_id


async def history_packs(sessions: Any) -> tuple[Pack | None, Pack, Pack | None, str, str]:
    """The weekly pack of 2026-W45 and the fortnightly summary of 12 October as the history
    published them, the summary of 9 November generated now, and the employee ids of the two
    packs' publishers (the weekly's, then the fortnightly's)."""
    async with sessions() as session, session.begin():
        weekly = await pack_store.get_pack(session, names.PACK_WEEKLY, "2026-W45")
        cycle = await pack_store.create_pack(
            session, PACKS[names.PACK_FORTNIGHTLY], "2026-11-09", [], AS_OF, CALENDAR,
            DEFAULT_ANCHOR,
        )  # fmt: skip
        own = await pack_store.get_pack(session, names.PACK_FORTNIGHTLY, "2026-10-12")
        director = (await staff_with_role(session, PACKS[names.PACK_WEEKLY].publisher))[0]
        executive = (await staff_with_role(session, PACKS[names.PACK_FORTNIGHTLY].publisher))[0]
    return weekly, cycle, own, director.employee_id, executive.employee_id


async def evidence(api_for: Any, database_url: str, who: str, start: str, end: str) -> Any:
    """The evidence document from ``start`` to ``end`` as ``who`` gets it from GET /evidence."""
    api = await api_for(database_url)
    return (await api.get("/evidence", who, params={"from": start, "to": end})).json()


def example_figures(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The evidence document's headline figures of each example, by example name."""
    sections = doc["sections"][1:4]
    return {s["id"].removeprefix("example-"): dict(s["blocks"][0]["items"]) for s in sections}


def titled(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A pack's sections by title."""
    return {s["title"]: s for s in content["sections"]}


async def monthly_packs(session: Any) -> tuple[Pack | None, Pack]:
    """The monthly board pack of 2026-09 as the history published it, and 2026-10's generated."""
    september = await pack_store.get_pack(session, names.PACK_MONTHLY, "2026-09")
    spec = PACKS[names.PACK_MONTHLY]
    october = await pack_store.create_pack(
        session, spec, "2026-10", [], AS_OF, CALENDAR, DEFAULT_ANCHOR
    )
    return september, october


async def board_director(session: Any) -> Any:
    return (await staff_with_role(session, Role.DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING))[0]


async def events_of(session: Any, case_ids: list[str]) -> list[CaseEvent]:
    return list(await session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(case_ids))))


def section(content: dict[str, Any], title: str) -> dict[str, Any]:
    """The section of a pack's content or an evidence document with this exact title."""
    return next(s for s in content["sections"] if s["title"] == title)


def late_steps(events: Iterable[CaseEvent]) -> list[tuple[str, str]]:
    """(step or kind, ISO instant) of every event marked late, sorted."""
    return sorted(
        (e.detail.get("step", e.kind), e.at.isoformat()) for e in events if e.detail.get("late")
    )


def stages_by_case(events: Iterable[CaseEvent]) -> dict[str, list[str]]:
    """Each case's stages in the order its events record them."""
    stages: dict[str, list[str]] = {}
    for e in sorted(events, key=lambda e: (e.at, e.id)):
        if e.kind == "stage":
            stages.setdefault(e.case_id, []).append(e.detail["stage"])
    return stages


def has_content(sec: dict[str, Any]) -> bool:
    """A section shows something: a table row, a chart or bar with a value, or a figure."""
    for b in sec["blocks"]:
        if b["type"] == "table" and b["rows"]:
            return True
        if b["type"] == "chart" and any(any(s["values"]) for s in b["series"]):
            return True
        if b["type"] == "bars" and any(b.get("values") or [v for _, v in b.get("items", [])]):
            return True
        if b["type"] == "figures" and any(v not in (0, "—", None) for _, v in b["items"]):
            return True
    return False
