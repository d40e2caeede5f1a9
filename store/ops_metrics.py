"""Operational figures for ``/metrics``: counts and ages by codes only (no personal data).

Every function reads the projection as it is now; ``now`` is the caller's clock. Escalation
levels are capped at ``BOARD_LEVEL`` (the board, and every later repeat) so label sets stay bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.register_checks import check_new_entries, recorded
from store.register_verify import Anchor
from store.review_visibility import BUILDING, SEE_BUILDING
from store.tables import Breach, Case, OutboxMessage, RegisterHead, Review

BOARD_LEVEL = 3
REVIEW_STEP = "mark-reviewed"


@dataclass(frozen=True, slots=True)
class Count:
    """A count (and, where it applies, the oldest item's age in seconds) for one label set."""

    labels: tuple[str, ...]
    value: float
    oldest_age: float = 0.0


def _level(level: int) -> str:
    return str(min(level, BOARD_LEVEL))


async def open_obligations(session: AsyncSession) -> list[Count]:
    """Open cases by (example, step now due, escalation level)."""
    rows = await session.execute(
        select(Case.example, Case.stage, Case.escalation_level, func.count())
        .where(Case.status == "open")
        .group_by(Case.example, Case.stage, Case.escalation_level)
    )
    totals: dict[tuple[str, ...], float] = {}
    for example, stage, level, count in rows:
        key = (example, stage, _level(level))
        totals[key] = totals.get(key, 0) + count
    return [Count(key, value) for key, value in sorted(totals.items())]


async def cases_by_stage(session: AsyncSession) -> list[Count]:
    """Every projected case by (example, stage); closed cases count under their final stage."""
    rows = await session.execute(
        select(Case.example, Case.stage, func.count()).group_by(Case.example, Case.stage)
    )
    return [Count((example, stage), count) for example, stage, count in sorted(rows.all())]


async def overdue_reviews(session: AsyncSession) -> list[Count]:
    """Reviews not yet marked reviewed whose sign-off deadline has passed (an open breach)."""
    breached = select(Breach.case_id).where(
        Breach.step == REVIEW_STEP, Breach.resolved_at.is_(None)
    )
    rows = await session.execute(
        select(Review.example, func.count())
        .where(Review.status != "reviewed", Review.review_id.in_(breached))
        .group_by(Review.example)
    )
    return [Count((example,), count) for example, count in sorted(rows.all())]


# Written into the statement's text (as ``store.tables.OPEN``) so that even a generic plan can use
# the partial index ``ix_reviews_building`` (migration 0025): a handful of rows, not every review.
_BUILDING = literal(BUILDING, literal_execute=True)


async def building_reviews(session: AsyncSession, now: datetime) -> tuple[int, float]:
    """Reviews whose row is committed as ``building`` (PostgreSQL's multi-connection build,
    ``store.review_build``) and the age in seconds of the oldest one since its first claim (0
    when none).

    The age runs from the first claim (``building_since``), not the latest attempt's: a review
    whose every attempt times out and is retried grows old too. Every other read hides these
    rows; this one asks for them (``SEE_BUILDING``). On SQLite a review is built in one
    transaction and is never ``building``: 0 and 0."""
    since = func.coalesce(Review.building_since, Review.generated_at)
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(since)).where(Review.status == _BUILDING),
            execution_options=SEE_BUILDING,
        )
    ).one()
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return int(count or 0), age


async def building_review_ids(session: AsyncSession) -> list[tuple[str, datetime]]:
    """Each review committed as ``building`` (its ID is its workflow's) and since when, first
    claimed first (the operations page links each to the Temporal UI)."""
    since = func.coalesce(Review.building_since, Review.generated_at)
    rows = await session.execute(
        select(Review.review_id, since).where(Review.status == _BUILDING).order_by(since),
        execution_options=SEE_BUILDING,
    )
    return [(review_id, at) for review_id, at in rows.all()]


async def open_breaches(session: AsyncSession, now: datetime) -> list[Count]:
    """Unresolved breaches by (example, step, level), with the oldest one's age."""
    example = func.coalesce(Case.example, Review.example, "unknown")
    rows = await session.execute(
        select(example, Breach.step, Breach.level, func.count(), func.min(Breach.escalated_at))
        .select_from(Breach)
        .outerjoin(Case, Case.case_id == Breach.case_id)
        .outerjoin(Review, Review.review_id == Breach.case_id)
        .where(Breach.resolved_at.is_(None))
        .group_by(example, Breach.step, Breach.level)
    )
    merged: dict[tuple[str, ...], Count] = {}
    for ex, step, level, count, oldest in rows:
        key = (ex, step, _level(level))
        age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
        prior = merged.get(key, Count(key, 0))
        merged[key] = Count(key, prior.value + count, max(prior.oldest_age, age))
    return [merged[key] for key in sorted(merged)]


async def mail(session: AsyncSession, now: datetime) -> tuple[list[Count], float]:
    """Mails by state (queued: never tried, failing: tried and unsent, delivered), and the age
    of the oldest undelivered one (0 when none)."""
    delivered = await session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_not(None)))
    queued = await session.scalar(
        select(func.count()).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts == 0)
    )
    failing = await session.scalar(
        select(func.count()).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
    )
    oldest = await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.sent_at.is_(None))
    )
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    counts = [
        Count(("delivered",), delivered or 0),
        Count(("failing",), failing or 0),
        Count(("queued",), queued or 0),
    ]
    return counts, age


@dataclass(frozen=True, slots=True)
class ChainState:
    """A register's recorded verification after this scrape's check of its new entries."""

    register: str
    entries: int  # the head's seq
    verified: int  # entries the recorded verification has reached
    ok: bool  # no failure recorded (a failure stands until a full verification passes)
    full_at: float | None  # the last full verification (Unix seconds), None: never
    full_ok: bool | None


def _unix(at: datetime | None) -> float | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


async def register_chains(
    session: AsyncSession, now: datetime, anchored: dict[str, list[Anchor]] | None = None
) -> list[ChainState]:
    """Every register's recorded verification, continued through the entries added since (at
    most ``VIEW_LIMIT`` each) and checked against its heads ``anchored`` outside the database,
    as a page view does: old entries are re-read only by a full verification (nightly and on
    demand), whose time and outcome are given too."""
    records = await recorded(session)
    heads = await session.execute(
        select(RegisterHead.register, RegisterHead.seq).order_by(RegisterHead.register)
    )
    found = []
    for name, seq in heads.all():
        row = await check_new_entries(
            session, name, at=now, anchors=(anchored or {}).get(name, []), before=records.get(name)
        )
        found.append(
            ChainState(
                name, seq, row.verified_seq, row.first_bad_seq is None, _unix(row.full_at),
                row.full_ok,
            )
        )  # fmt: skip
    return found
