"""Breaches: recorded at each escalation level, resolved when their step is done, and the open
ones at their latest level (``GET /escalations``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import Breach, Review


async def record_breach(
    session: AsyncSession, case_id: str, step: str, deadline: datetime, level: int, at: datetime
) -> bool:
    """Record a breach at a level; False if that breach was already recorded (a retry)."""
    existing = await session.scalar(
        select(Breach).where(
            Breach.case_id == case_id,
            Breach.step == step,
            Breach.deadline == deadline,
            Breach.level == level,
        )
    )
    if existing is not None:
        return False
    session.add(Breach(case_id=case_id, step=step, deadline=deadline, level=level, escalated_at=at))
    await session.flush()
    return True


async def resolve_breaches(
    session: AsyncSession, case_id: str, steps: list[str], at: datetime
) -> None:
    """Mark the breaches of STEPS resolved once they are done (they stay on record): one
    statement for all of them."""
    await session.execute(
        update(Breach)
        .where(Breach.case_id == case_id, Breach.step.in_(steps), Breach.resolved_at.is_(None))
        .values(resolved_at=at)
    )


async def open_breaches(session: AsyncSession) -> list[dict[str, Any]]:
    """Open breaches at their latest level, one row per case and step, in the order each was
    first escalated: one query over the open breaches only (``ix_breaches_open``)."""
    ranked = (
        select(
            Breach,
            func.row_number()
            .over(partition_by=(Breach.case_id, Breach.step), order_by=Breach.level.desc())
            .label("n"),
            func.min(Breach.escalated_at)
            .over(partition_by=(Breach.case_id, Breach.step))
            .label("first_at"),
        )
        .where(Breach.resolved_at.is_(None))
        .subquery()
    )
    is_review = exists().where(Review.review_id == ranked.c.case_id)
    connection = await session.connection()  # Core rows: no ORM loading for plain columns
    rows = await connection.execute(
        select(
            case((is_review, "review"), else_="case").label("kind"),
            ranked.c.case_id,
            ranked.c.step,
            ranked.c.deadline,
            ranked.c.level,
            ranked.c.escalated_at,
        )
        .where(ranked.c.n == 1)
        .order_by(ranked.c.first_at, ranked.c.case_id, ranked.c.step)
    )
    return [
        {"kind": k, "case_id": c, "step": s, "deadline": d, "level": n, "escalated_at": at}
        for k, c, s, d, n, at in rows.all()
    ]
