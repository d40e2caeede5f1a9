"""Breaches: recorded at each escalation level, resolved when their step is done, and the open
ones at their latest level, a page at a time (``GET /escalations``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    exists,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.column_types import Instant
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


class BreachAfter(NamedTuple):
    """Where a page of open breaches ended: its last row's place (the next page's cursor)."""

    first_at: datetime
    case_id: str
    step: str


PAGE = 500  # open breaches per page of GET /escalations unless the caller asks for fewer


def _first_of_group(b: type[Breach] | Any, other: Any) -> ColumnElement[bool]:
    """``b`` is the first open breach of its case and step (earliest, then lowest ID)."""
    earlier = or_(
        other.escalated_at < b.escalated_at,
        and_(other.escalated_at == b.escalated_at, other.id < b.id),
    )
    return ~exists().where(
        other.case_id == b.case_id, other.step == b.step, other.resolved_at.is_(None), earlier
    )


async def open_breaches(
    session: AsyncSession, after: BreachAfter | None = None, limit: int = PAGE
) -> list[dict[str, Any]]:
    """``limit`` open breaches after ``after``, one row per case and step at its latest level
    (``after``: the row's place, the next page's cursor), in the order each was first escalated
    (then case ID, step). A page is one range of ``ix_breaches_open_order`` (each case and
    step's first open breach, found by walking the open ones in that order; at most three
    levels each), then the open levels of the page's cases (the latest kept) in a second
    statement: it costs the same however many breaches are open or were ever recorded."""
    b, other = Breach, aliased(Breach)
    place = tuple_(b.escalated_at, b.case_id, b.step)
    query = select(b.escalated_at, b.case_id, b.step).where(
        b.resolved_at.is_(None), _first_of_group(b, other)
    )
    if after is not None:
        since = bindparam("since", after.first_at, type_=Instant)
        query = query.where(place > tuple_(since, literal(after.case_id), literal(after.step)))
    connection = await session.connection()  # Core rows: no ORM loading for plain columns
    order = (b.escalated_at, b.case_id, b.step, b.id)
    firsts = (await connection.execute(query.order_by(*order).limit(limit))).all()
    if not firsts:
        return []
    subjects = sorted({case_id for _, case_id, _ in firsts})
    latest: dict[tuple[str, str], tuple[int, datetime, datetime]] = {}
    reviews: set[str] = set()
    # the page's cases' open levels, index probes by case (a join let PostgreSQL hash every
    # open breach instead), and whether each is a review's
    is_review = exists().where(Review.review_id == b.case_id).label("is_review")
    levels = await connection.execute(
        select(b.case_id, b.step, b.level, b.deadline, b.escalated_at, is_review).where(
            b.resolved_at.is_(None), b.case_id.in_(subjects)
        )
    )
    for case_id, step, level, deadline, at, review in levels:
        known = latest.get((case_id, step))
        if known is None or (level, at) > (known[0], known[2]):
            latest[(case_id, step)] = (level, deadline, at)
        if review:
            reviews.add(case_id)
    out = []
    for first_at, case_id, step in firsts:
        level, deadline, at = latest[(case_id, step)]
        kind = "review" if case_id in reviews else "case"
        out.append({"kind": kind, "case_id": case_id, "step": step, "deadline": deadline,
                    "level": level, "escalated_at": at,
                    "after": BreachAfter(first_at, case_id, step)})  # fmt: skip
    return out
