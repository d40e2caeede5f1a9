"""Pathways and their named owners, read from the case projection (the administrator's view):
filtered and paged in SQL, a page at a time by case ID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, false, func, literal, or_, select
from sqlalchemy import case as when
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store.staff import STAFF_FEED, StaffMember, member
from store.tables import OPEN, Case, OpenObligation, SourceRecord


@dataclass(frozen=True)
class OwnedPathway:
    """An open case's pathway and its named owner (None: not in the staff directory)."""

    case: Case
    owner_id: str
    owner: StaffMember | None


@dataclass(frozen=True)
class PathwayPage:
    """One page of open pathways by case ID: where it starts among all that match (from 1),
    how many match, and the keyset cursors of the pages before and after (None: no such page)."""

    shown: list[OwnedPathway]
    total: int
    first: int
    before: str | None
    after: str | None


def named_owner(case: Case) -> str | None:
    """The named owner of the case's pathway (kept after the pathway stages), if one is named."""
    owner = (case.detail or {}).get("pathway_owner") or case.assignee
    return str(owner) if owner else None


# ``named_owner`` in SQL, and the owner's staff-directory record beside the case.
_OWNER = func.coalesce(
    func.nullif(Case.detail["pathway_owner"].as_string(), ""), func.nullif(Case.assignee, "")
)
_STAFF = aliased(SourceRecord)
_STAFF_FEED = literal(STAFF_FEED, literal_execute=True)  # the feed's partition in any plan
_OPEN = (Case.status == OPEN, _OWNER.is_not(None))  # a literal: 0031's partial index matches


_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])


def _owned(statement: _Q, wanted: str = "") -> _Q:
    """STATEMENT over the open cases with a named owner, joined to the owner's record; WANTED:
    only those whose report, owner's ID or owner's name contains it (any case)."""
    joined = statement.select_from(Case).outerjoin(
        _STAFF, and_(_STAFF.feed == _STAFF_FEED, _STAFF.key == _OWNER)
    )
    joined = joined.where(*_OPEN)
    if not wanted:
        return joined
    text = wanted.lower()
    name = _STAFF.content["display_name"].as_string()
    return joined.where(
        or_(
            *(func.lower(c).contains(text, autoescape=True) for c in (Case.reference, _OWNER, name))
        )
    )


def _pathways(rows: Any) -> list[OwnedPathway]:
    return [
        OwnedPathway(row, owner_id, None if content is None else member(content))
        for row, owner_id, content in rows
    ]


async def open_pathway_page(
    session: AsyncSession,
    *,
    wanted: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 25,
) -> PathwayPage:
    """A page of the open pathways matching WANTED by case ID: the SIZE after the case ID AFTER,
    or the SIZE before BEFORE, else the first SIZE (keyset: two statements whatever the page)."""
    rows = _owned(select(Case, _OWNER, _STAFF.content), wanted)
    if before is not None:
        rows = rows.where(Case.case_id < before).order_by(Case.case_id.desc())
    else:
        rows = rows.where(Case.case_id > after) if after else rows
        rows = rows.order_by(Case.case_id)
    shown = _pathways((await session.execute(rows.limit(size))).all())
    if before is not None:
        shown.reverse()
    start = shown[0].case.case_id if shown else ""
    counted = select(func.count(), func.sum(when((Case.case_id < start, 1), else_=0)))
    total, earlier = (await session.execute(_owned(counted, wanted))).one()
    earlier = int(earlier or 0)
    last = earlier + len(shown)
    return PathwayPage(
        shown=shown,
        total=int(total),
        first=earlier + 1,
        before=start if shown and earlier else None,
        after=shown[-1].case.case_id if shown and last < total else None,
    )


async def open_pathway(session: AsyncSession, case_id: str) -> OwnedPathway | None:
    """The open pathway of CASE_ID with its named owner, or None."""
    rows = _owned(select(Case, _OWNER, _STAFF.content)).where(Case.case_id == case_id)
    found = _pathways((await session.execute(rows)).all())
    return found[0] if found else None


def _absent(today: date) -> Any:
    """The owner is unknown to the directory, inactive, or has left by TODAY (not current)."""
    return or_(
        _STAFF.key.is_(None),
        _STAFF.content["active"].as_boolean() == false(),
        _STAFF.content["left_at"].as_string() <= today.isoformat(),
    )


async def absent_owner_pathways(session: AsyncSession, today: date) -> list[OwnedPathway]:
    """Open pathways whose named owner is unknown, inactive or has left on ``today``, by case."""
    rows = _owned(select(Case, _OWNER, _STAFF.content)).where(_absent(today))
    return _pathways((await session.execute(rows.order_by(Case.case_id))).all())


async def count_absent_owner_pathways(session: AsyncSession, today: date) -> int:
    """How many open pathways ``absent_owner_pathways`` lists (one count)."""
    return int(await session.scalar(_owned(select(func.count())).where(_absent(today))) or 0)


async def owed_by(
    session: AsyncSession, case_id: str, employee_id: str
) -> list[tuple[str, str, datetime | None]]:
    """What EMPLOYEE_ID owes on the case by name, as "my work" orders it: (obligation key,
    title, deadline), the acceptance before the actions it lets them do."""
    o = OpenObligation
    rows = await session.execute(
        select(o.key, o.title, o.deadline)
        .where(o.case_id == case_id, o.assignee == employee_id)
        .order_by(o.sort_at, o.key.desc())
    )
    return [(key, title or key, deadline) for key, title, deadline in rows]
