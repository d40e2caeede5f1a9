"""Pack rows: generated content for the pack's period, publication, and the cases listed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, null, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import BusinessCalendar
from domain.pack_periods import home_period, listing_period, period_bounds
from domain.packs import AWAITING_VISIBILITY_STAGES, PackSpec
from domain.periodic import PackSummary
from store.driver_rows import kept_rows
from store.pack_common import EXAMPLE, listed_cases, window
from store.pack_content import build
from store.pack_inputs import pack_inputs
from store.review_visibility import SHOWN
from store.tables import Case, CaseEvent, Pack, Review


async def get_pack(session: AsyncSession, kind: str, period: str) -> Pack | None:
    return await session.get(Pack, (kind, period))


_WAITING = (
    select(Case.case_id, Case.opened_at, Review.period)
    # (a review being built is not joined: store.review_visibility.SHOWN)
    .outerjoin(Review, and_(Review.review_id == Case.review_id, SHOWN))
    .where(Case.example == EXAMPLE, Case.stage.in_(AWAITING_VISIBILITY_STAGES))
)
# The kind's published periods ride along as rows without a case: one statement, not two
# (built once: store.pack_common.kept).
_LISTING: Any = union_all(
    _WAITING,
    select(null(), null(), Pack.period).where(
        Pack.kind == bindparam("kind", type_=Pack.kind.type), Pack.published_at.is_not(None)
    ),
).order_by("case_id")


async def listing_periods(
    session: AsyncSession, spec: PackSpec, calendar: BusinessCalendar, anchor: date
) -> dict[str, str]:
    """Each of the example's cases awaiting visibility -> the one period whose pack lists it:
    the period whose pack shows the review that opened the case, or, when that pack was
    already published before the case came to wait, the next period's pack not yet published
    (domain.pack_periods.home_period, listing_period)."""
    await session.flush()  # the reads below are Core statements (store.pack_common.core_rows)
    bound = {"example": spec.example, "kind": spec.kind}
    rows = (await kept_rows(session, _LISTING, bound)).all()
    cases, published = [], set()
    for case_id, opened_at, period in rows:
        if case_id is None:
            published.add(period)
        else:
            cases.append((case_id, opened_at, period))
    found = {}
    for case_id, opened_at, review_period in cases:
        home = home_period(spec.kind, review_period, calendar.local(opened_at).date(), anchor)
        found[case_id] = listing_period(spec.kind, home, published, anchor)
    return found


async def awaiting_cases(
    session: AsyncSession, spec: PackSpec, period: str, calendar: BusinessCalendar, anchor: date
) -> list[str]:
    """The cases this pack lists (each waiting case is listed by one pack only)."""
    found = await listing_periods(session, spec, calendar, anchor)
    return [case_id for case_id, listed_by in found.items() if listed_by == period]


async def waiting_ids(session: AsyncSession, example: str) -> list[str]:
    """The example's cases whose accepted pathway waits for a pack to be published (a pathway
    still awaiting acceptance waits for its owner, not the publisher)."""
    found = await session.scalars(
        select(Case.case_id).where(Case.example == example, Case.stage == "awaiting-visibility")
    )
    return list(found)


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
    await session.flush()  # the reads below are Core statements (store.pack_common.core_rows)
    listed = await listed_cases(session, case_ids)
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
    inputs = await pack_inputs(session, spec, period, at, calendar.config.timezone)
    pack = Pack(
        kind=spec.kind,
        period=period,
        status="generated",
        generated_at=at,
        case_ids=case_ids,
        content=await content(session, spec, period, case_ids, at, calendar, anchor),
        inputs=inputs,
    )
    session.add(pack)
    await session.flush()
    return pack


async def view(
    session: AsyncSession,
    spec: PackSpec,
    pack: Pack,
    at: datetime,
    calendar: BusinessCalendar,
    anchor: date,
) -> bool:
    """The pack as a reader sees it at ``at``: an unpublished one rebuilt and stored only when
    what it reads changed since it was built (``store.pack_inputs``); True when rebuilt. A
    published pack is frozen: never rebuilt, never written."""
    if pack.published_at is not None:
        return False
    inputs = await pack_inputs(session, spec, pack.period, at, calendar.config.timezone)
    if inputs == pack.inputs:
        return False
    await refresh(session, spec, pack, at, calendar, anchor, inputs)
    return True


async def refresh(
    session: AsyncSession,
    spec: PackSpec,
    pack: Pack,
    at: datetime,
    calendar: BusinessCalendar,
    anchor: date,
    inputs: str | None = None,
) -> None:
    """An unpublished pack as of ``at``: its case list and content again (a week, cycle or
    month still running gains its reviews and cases so far), with the fingerprint of its
    inputs taken before they were read (a change while building leaves the next view to
    rebuild again, never a stale pack marked fresh). A published pack is frozen."""
    if pack.published_at is not None:
        return
    if inputs is None:
        inputs = await pack_inputs(session, spec, pack.period, at, calendar.config.timezone)
    case_ids = await awaiting_cases(session, spec, pack.period, calendar, anchor)
    fresh = await content(session, spec, pack.period, case_ids, at, calendar, anchor)
    # Written only while still unpublished: a publication committed while this content was
    # being built wins (PostgreSQL re-checks the condition on the row it would update).
    await session.execute(
        update(Pack)
        .where(Pack.kind == pack.kind, Pack.period == pack.period, Pack.published_at.is_(None))
        .values(case_ids=case_ids, content=fresh, generated_at=at, inputs=inputs)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(pack)


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
    pack.generated_at = at  # its figures are as at publication ("the figures … as generated")
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
