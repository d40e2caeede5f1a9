"""Pathways and their named owners, read from the case projection (the administrator's view)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.staff import StaffMember, list_staff
from store.tables import Case, OpenObligation


@dataclass(frozen=True)
class OwnedPathway:
    """An open case's pathway and its named owner (None: not in the staff directory)."""

    case: Case
    owner_id: str
    owner: StaffMember | None


def named_owner(case: Case) -> str | None:
    """The named owner of the case's pathway (kept after the pathway stages), if one is named."""
    owner = (case.detail or {}).get("pathway_owner") or case.assignee
    return str(owner) if owner else None


async def open_pathways(session: AsyncSession) -> list[OwnedPathway]:
    """Every open case with a named pathway owner, by case ID."""
    staff = {member.employee_id: member for member in await list_staff(session)}
    cases = await session.scalars(select(Case).where(Case.status == "open").order_by(Case.case_id))
    pathways = []
    for case in cases:
        owner_id = named_owner(case)
        if owner_id is not None:
            pathways.append(OwnedPathway(case, owner_id, staff.get(owner_id)))
    return pathways


async def absent_owner_pathways(session: AsyncSession, today: date) -> list[OwnedPathway]:
    """Open pathways whose named owner is unknown, inactive or has left on ``today``."""
    return [
        p for p in await open_pathways(session) if p.owner is None or not p.owner.is_current(today)
    ]


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
