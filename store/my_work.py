"""What a person owes now, read from the projection: reviews awaiting their sign-off, the open
obligations of cases (steps for their roles, acceptance and actions they own), and the escalation
level each has reached (the breaches table). The confirmation forms they are asked for:
``store.worker_closures``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.links import ACCEPTANCE
from domain.reviews import REVIEWS
from domain.roles import Role
from store.column_types import Instant
from store.tables import OPEN, Breach, OpenObligation, Review

PAGE = 50  # obligations per page of "my work": the most urgent first, the rest a link away


class OwedCase(NamedTuple):
    """The columns of a case that "my work" shows (a named tuple: cheaper than a dataclass)."""

    case_id: str
    example: str
    reference: str
    exposure: str
    service_line: str


class CaseOwed(NamedTuple):
    """One open obligation of a case that the person owes (by role or as named owner)."""

    case: OwedCase
    key: str
    title: str
    role: str | None
    deadline: datetime
    sort_at: datetime  # its place in "my work" (an acceptance comes before its actions)
    rank: int = 2  # then the case's severity (``store.tables.SEVERITY_RANKS``: critical first)


class OwedAfter(NamedTuple):
    """Where a page of "my work" ended: the last obligation's place (the next page's cursor)."""

    sort_at: datetime
    case_id: str
    key: str
    rank: int = 2


# Each due band is counted up to this many (one LIMIT-ed index range per way of owing): the
# counts then cost the same however much is owed. 100: two pages of "my work" overdue already
# say "ask for help"; the exact backlog per role is the packs' and analytics' figure. At 200k
# cases (busy role: 10,301 owed), server ms, median: the exact aggregate 0.94 / 8.9 (visibility
# map set / not, as after a bulk load), capped at 1,000 0.52 / 15.1, at 250 - / 1.4, at 100
# 0.14 / 0.61 (bench/RESULTS.md, "Seventh session — paging").
COUNT_CAP = 100
BANDS = ("overdue", "today", "week", "later")


@dataclass(frozen=True)
class OwedCounts:
    """How many open obligations the person owes, by how soon they are due. Each band is
    counted up to ``COUNT_CAP``: a band in ``more`` has more than its figure (which is the cap),
    and the total is then more than its figure too."""

    total: int
    overdue: int
    today: int  # due later today (the provider's day)
    week: int  # due in the seven days after today
    later: int
    more: frozenset[str] = frozenset()  # the bands past the cap (names in BANDS)

    def shown(self, band: str) -> str:
        """A count as a person reads it: "42", or "more than 100" past the cap."""
        value = getattr(self, band)
        past = band in self.more or (band == "total" and bool(self.more))
        return f"more than {value:,}" if past else f"{value:,}"


async def awaiting_reviews(session: AsyncSession, roles: frozenset[Role]) -> list[Review]:
    """Generated reviews not yet marked reviewed, of the examples whose step-1 role is held."""
    examples = [spec.example for spec in REVIEWS.values() if spec.role in roles]
    if not examples:
        return []
    rows = await session.scalars(
        select(Review)
        .where(Review.status == "generated", Review.example.in_(examples))
        .order_by(Review.as_of)
    )
    return list(rows)


def _ways_owed(roles: int) -> list[ColumnElement[bool]]:
    """Owed by name (``:employee``) or, unassigned, for a role (``:role_0`` …): index ranges."""
    o, is_open = OpenObligation, OpenObligation.case_status == OPEN  # the indexes' predicate
    by_role = [and_(o.assignee.is_(None), o.role == bindparam(f"role_{n}")) for n in range(roles)]
    return [and_(is_open, way) for way in (o.assignee == bindparam("employee"), *by_role)]


def _params(employee_id: str, roles: frozenset[Role]) -> dict[str, Any]:
    ordered = sorted(role.value for role in roles)
    return {"employee": employee_id} | {f"role_{n}": r for n, r in enumerate(ordered)}


@lru_cache(maxsize=32)
def _page_query(roles: int, deep: bool) -> Select[Any]:
    """The page's statement for so many roles, built once (building cost more than running)."""
    o = OpenObligation
    columns = (o.case_id, o.example, o.reference, o.exposure, o.service_line, o.key, o.title,
               o.role, o.deadline, o.sort_at, o.severity_rank)  # fmt: skip
    limit = bindparam("limit", type_=Integer)
    at = bindparam("at", type_=Instant)
    case_id, key = bindparam("case_id", type_=String), bindparam("key", type_=String)
    rank = bindparam("rank", type_=Integer)
    same_rank = and_(o.sort_at == at, o.severity_rank == rank)
    same = and_(same_rank, or_(o.case_id > case_id, and_(o.case_id == case_id, o.key < key)))
    # after the cursor: its own instant and rank's rest, its instant's later ranks, and every
    # later instant, each its own plain index range (one OR of them let PostgreSQL sort
    # everything after the cursor: 200k, bench/RESULTS)
    later_rank = and_(o.sort_at == at, o.severity_rank > rank)
    afters = [same, later_rank, o.sort_at > at] if deep else [o.sort_at.is_not(None)]
    parts = []
    for owes, after in ((owes, after) for owes in _ways_owed(roles) for after in afters):
        query = select(*columns).where(owes, after, o.sort_at.is_not(None), o.deadline.is_not(None))
        order = (o.sort_at, o.severity_rank, o.case_id, o.key.desc())
        part = query.order_by(*order).limit(limit).subquery()
        parts.append(select(part))
    merged = union_all(*parts).subquery()
    merged_order = (merged.c.sort_at, merged.c.severity_rank, merged.c.case_id, merged.c.key.desc())
    return select(merged).order_by(*merged_order).limit(limit)


async def case_obligations(
    session: AsyncSession,
    employee_id: str,
    roles: frozenset[Role],
    after: OwedAfter | None = None,
    limit: int = PAGE,
) -> list[CaseOwed]:
    """``limit`` open obligations of open cases owed by the person (by name, or unassigned and
    for one of their roles) after ``after``, most urgent first: by ``sort_at``, the case's
    severity (critical first), case ID, key descending (an acceptance before its actions when
    due alike). One table, one LIMIT-ed index
    range per way of owing: a page costs the same however much is owed."""
    params = _params(employee_id, roles) | {"limit": limit}
    if after is not None:
        params |= {"at": after.sort_at, "case_id": after.case_id, "key": after.key}
        params |= {"rank": after.rank}
    connection = await session.connection()  # Core rows: no ORM loading for plain columns
    rows = await connection.execute(_page_query(len(roles), after is not None), params)
    return [
        CaseOwed(
            OwedCase(case_id, example or "", reference or "", exposure or "", line or ""),
            key,
            title or "",
            role,
            deadline,
            sort_at,
            rank,
        )  # fmt: skip
        for (
            case_id,
            example,
            reference,
            exposure,
            line,
            key,
            title,
            role,
            deadline,
            sort_at,
            rank,
        ) in rows  # fmt: skip
    ]


@lru_cache(maxsize=32)
def _counts_query(roles: int, cap: int) -> Select[Any]:
    """The four bands' counts, each a scalar subquery over ``cap + 1`` entries at most: per way
    of owing one LIMIT-ed range of ``ix_owed_due_by_name`` / ``ix_owed_due_by_role`` (by
    deadline), and a LIMIT over them together. Bounded by the cap, not by what is owed: each
    range is ordered by deadline, so it is read off its index; unordered, PostgreSQL read the
    person's every obligation through the one-column ``assignee`` index and filtered them by
    band (1,014 rows for one band at 200k cases: bench/RESULTS.md, "Eighth session")."""
    o, due = OpenObligation, OpenObligation.deadline
    now, today, week = (bindparam(name, type_=Instant) for name in ("now", "today", "week"))
    bands = (due <= now, and_(due > now, due < today), and_(due >= today, due < week), due >= week)
    counts = []
    for band in bands:
        parts = [
            select(
                select(literal_column("1").label("one"))
                .where(owes, o.sort_at.is_not(None), band)
                .order_by(due)
                .limit(cap + 1)
                .subquery()
            )
            for owes in _ways_owed(roles)
        ]
        owed = select(union_all(*parts).subquery()).limit(cap + 1).subquery()
        counts.append(select(func.count()).select_from(owed).scalar_subquery())
    return select(*counts)


async def owed_counts(
    session: AsyncSession,
    employee_id: str,
    roles: frozenset[Role],
    now: datetime,
    bands: tuple[datetime, datetime],
    cap: int = COUNT_CAP,
) -> OwedCounts:
    """How many the person owes: overdue at ``now``, due before ``bands`` (today's end, a week
    later), later; each band up to ``cap`` (past it: in ``more``), index-only on PostgreSQL."""
    params = _params(employee_id, roles) | {"now": now, "today": bands[0], "week": bands[1]}
    connection = await session.connection()
    found = (await connection.execute(_counts_query(len(roles), cap), params)).one()
    overdue, today, week, later = (min(n, cap) for n in found)
    more = frozenset(band for band, n in zip(BANDS, found, strict=True) if n > cap)
    return OwedCounts(overdue + today + week + later, overdue, today, week, later, more)


async def awaiting_acceptance(session: AsyncSession, case_ids: set[str]) -> set[str]:
    """Which of these cases still wait for their pathway's acceptance (its actions wait too)."""
    if not case_ids:
        return set()
    rows = await session.scalars(
        select(OpenObligation.case_id).where(
            OpenObligation.key == ACCEPTANCE, OpenObligation.case_id.in_(sorted(case_ids))
        )
    )
    return set(rows)


async def breach_levels(session: AsyncSession, subjects: list[str]) -> dict[tuple[str, str], int]:
    """The highest open breach level per (case or review ID, obligation)."""
    if not subjects:
        return {}
    connection = await session.connection()  # Core rows: three plain columns
    rows = await connection.execute(
        select(Breach.case_id, Breach.step, Breach.level).where(
            Breach.resolved_at.is_(None), Breach.case_id.in_(subjects)
        )
    )
    levels: dict[tuple[str, str], int] = {}
    for case_id, step, level in rows:
        key = (case_id, step)
        levels[key] = max(levels.get(key, 0), level)
    return levels
