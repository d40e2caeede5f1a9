"""What an unpublished pack was built from, as one cheap fingerprint: viewing the pack rebuilds
and writes it only when this changed (a page view of the running week's pack is otherwise a
read of a handful of index tops, not a rebuild and a write).

The fingerprint covers every table the pack reads, by what changes when a row the pack shows
changes: the newest timeline event (every step, acceptance, action and stage change writes one)
and the newest case update, the newest breach and how many are open (an escalation adds a row,
a resolution closes one), the example's reviews (how many, generated and marked reviewed), each
register's head (every entry, erasures included, moves a head), the cases waiting for a pack and
the kind's publications (which pack lists them), the staff directory (names), and the local
hour: the figures that run on with the clock (how long a breach has been open, the "as at"
time) are at most an hour old, and a period ending (at local midnight) is seen at once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.packs import AWAITING_VISIBILITY_STAGES, PackSpec
from store.staff import STAFF_FEED
from store.tables import Breach, Case, CaseEvent, Pack, RegisterHead, Review, SourceRecord


async def pack_inputs(
    session: AsyncSession, spec: PackSpec, period: str, at: datetime, zone: str
) -> str:
    """The fingerprint of what ``spec``'s pack for ``period`` reads as at ``at`` (hex, 64)."""
    tops = (
        await session.execute(
            select(
                select(func.max(CaseEvent.id)).scalar_subquery(),
                select(func.max(Case.updated_at)).scalar_subquery(),
                select(func.max(Breach.id)).scalar_subquery(),
                select(func.count())
                .select_from(Breach)
                .where(Breach.resolved_at.is_(None))
                .scalar_subquery(),
                select(func.count())
                .select_from(Pack)
                .where(Pack.kind == spec.kind, Pack.published_at.is_not(None))
                .scalar_subquery(),
            )
        )
    ).one()
    reviews = (
        await session.execute(
            select(
                func.count(),
                func.max(Review.generated_at),
                func.count(Review.reviewed_at),
                func.max(Review.reviewed_at),
            ).where(Review.example == spec.example)
        )
    ).one()
    staff = (
        await session.execute(
            select(func.count(), func.max(SourceRecord.received_at)).where(
                SourceRecord.feed == STAFF_FEED
            )
        )
    ).one()
    heads = (await session.execute(select(RegisterHead.register, RegisterHead.seq))).all()
    waiting = (
        await session.execute(
            select(Case.case_id, Case.stage, Case.updated_at).where(
                Case.example == spec.example, Case.stage.in_(AWAITING_VISIBILITY_STAGES)
            )
        )
    ).all()
    hour = at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H")
    parts = [spec.kind, period, hour, tuple(tops), tuple(reviews), tuple(staff)]
    parts += [sorted(tuple(h) for h in heads), sorted(tuple(w) for w in waiting)]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
