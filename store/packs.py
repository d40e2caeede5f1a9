"""Pack rows: generated content for the pack's period, publication, and the cases listed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.calendar import BusinessCalendar
from domain.pack_periods import CYCLE_DAYS, period_bounds
from domain.packs import AWAITING_VISIBILITY_STAGES, PackSpec
from domain.periodic import PackSummary
from store.pack_common import cases_of, window
from store.pack_content import build
from store.tables import Case, CaseEvent, Pack


async def get_pack(session: AsyncSession, kind: str, period: str) -> Pack | None:
    return await session.get(Pack, (kind, period))


async def awaiting_cases(
    session: AsyncSession, spec: PackSpec, period: str, calendar: BusinessCalendar, anchor: date
) -> list[str]:
    """The example's cases awaiting pack visibility opened before the period ended; for a
    fortnightly summary, before the next cycle ended (its audit runs after its cycle, and the
    summary is published on the audit day)."""
    bounds = period_bounds(spec.kind, period, anchor)
    extra = timedelta(days=CYCLE_DAYS) if spec.kind == names.PACK_FORTNIGHTLY else timedelta(0)
    win = window(bounds.first, bounds.after + extra, calendar)
    found = await session.scalars(
        select(Case.case_id)
        .where(
            Case.example == spec.example,
            Case.stage.in_(AWAITING_VISIBILITY_STAGES),
            Case.opened_at < win.after,
        )
        .order_by(Case.case_id)
    )
    return list(found)


async def waiting_count(session: AsyncSession, example: str) -> int:
    """How many of the example's accepted pathways wait for a pack to be published (any
    period; a pathway still awaiting acceptance waits for its owner, not the publisher)."""
    found = await session.scalars(
        select(Case.case_id).where(Case.example == example, Case.stage == "awaiting-visibility")
    )
    return len(list(found))


async def content(
    session: AsyncSession,
    spec: PackSpec,
    period: str,
    case_ids: list[str],
    at: datetime,
    calendar: BusinessCalendar,
    anchor: date,
) -> dict[str, object]:
    """The pack's document for its period as of ``at`` (listing ``case_ids``)."""
    bounds = period_bounds(spec.kind, period, anchor)
    win = window(bounds.first, bounds.after, calendar)
    listed = await cases_of(session, case_ids)
    return await build(session, spec, bounds, win, listed, at)


async def create_pack(
    session: AsyncSession,
    spec: PackSpec,
    period: str,
    case_ids: list[str],
    at: datetime,
    calendar: BusinessCalendar,
    anchor: date,
) -> Pack:
    pack = Pack(
        kind=spec.kind,
        period=period,
        status="generated",
        generated_at=at,
        case_ids=case_ids,
        content=await content(session, spec, period, case_ids, at, calendar, anchor),
    )
    session.add(pack)
    await session.flush()
    return pack


async def publish(
    session: AsyncSession,
    spec: PackSpec,
    pack: Pack,
    case_ids: list[str],
    actor: str,
    at: datetime,
    calendar: BusinessCalendar,
    anchor: date,
) -> None:
    pack.case_ids = case_ids
    pack.content = await content(session, spec, pack.period, case_ids, at, calendar, anchor)
    pack.status = "published"
    pack.published_by = actor
    pack.published_at = at
    # Each case it makes visible records it on its timeline (the case history reads this event).
    for case_id in case_ids:
        session.add(
            CaseEvent(
                case_id=case_id,
                at=at,
                kind="made_visible",
                actor=actor,
                detail={"pack": spec.kind, "period": pack.period, "title": spec.title},
                dedupe_key=f"{case_id}:made_visible:{spec.kind}/{pack.period}",
            )
        )
    await session.flush()


def summary(pack: Pack) -> PackSummary:
    return PackSummary(
        kind=pack.kind,
        period=pack.period,
        case_ids=list(pack.case_ids),
        published_by=pack.published_by,
        published_at=pack.published_at,
    )
