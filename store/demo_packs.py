"""The demo's past pack publications (store/demo_cases.py, store/demo_repairs.py): the pack of a
period generated, then published by the holder of its publisher role with the cases it lists,
as the publish route records it (store.packs.publish: the pack row, a ``made_visible`` event
on each listed case's timeline). A pack published already is left alone. The caller commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.calendar import BusinessCalendar
from domain.pack_periods import home_period, period_bounds
from domain.packs import PACKS, PackSpec
from store import packs as pack_store
from store.staff import staff_with_role
from store.tables import Review

GENERATED_BEFORE = timedelta(hours=2)  # the pack is generated, then read, then published


async def publish_past_pack(
    session: AsyncSession,
    spec: PackSpec,
    period: str,
    published: datetime,
    calendar: BusinessCalendar,
    anchor: date,
) -> list[str]:
    """Publish the pack of PERIOD at PUBLISHED (generated two hours before when it does not
    exist); the cases it made visible (none when it was published already)."""
    pack = await pack_store.get_pack(session, spec.kind, period)
    if pack is not None and pack.published_at is not None:
        return []
    if pack is None:
        generated = published - GENERATED_BEFORE
        pack = await pack_store.create_pack(session, spec, period, [], generated, calendar, anchor)
    listed = await pack_store.awaiting_cases(session, spec, period, calendar, anchor)
    holders = await staff_with_role(session, spec.publisher)
    publisher = holders[0].employee_id if holders else "system"
    await pack_store.publish(session, spec, pack, listed, publisher, published, calendar, anchor)
    return listed


async def publish_for(
    session: AsyncSession,
    waits: list[tuple[str, datetime, datetime]],
    kind: str,
    cal: BusinessCalendar,
    anchor: date,
) -> datetime | None:
    """Publish the pack that lists the waiting cases (review ID, opened, accepted) of one
    review once all are accepted: the weekly pack on the Friday of its week at 14:00, the
    fortnightly summary at 14:00 on its audit's day (each generated two hours before), or two
    hours after the last acceptance when that is later. When; None when none waits."""
    if not waits:
        return None
    review = await session.get(Review, waits[0][0])
    assert review is not None
    period = home_period(kind, review.period, cal.local(waits[0][1]).date(), anchor)
    day = cal.local(review.as_of).date()
    if kind == names.PACK_WEEKLY:
        day = period_bounds(kind, period, anchor).first + timedelta(days=4)
    last = max(accepted for _, _, accepted in waits) + timedelta(hours=2)
    published = max(cal.wall(day, time(14)).astimezone(UTC), last)
    await publish_past_pack(session, PACKS[kind], period, published, cal, anchor)
    return published
