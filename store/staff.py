"""Staff lookup: the ``staff-directory`` feed's current records."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.names import EXAMPLE_ACKNOWLEDGMENT
from domain.roles import Role
from store.item_fields import item_text
from store.tables import Review, ReviewItem, SourceRecord

STAFF_FEED = "staff-directory"


class StaffMember(BaseModel):
    """A person of the staff directory, as last received."""

    model_config = ConfigDict(frozen=True)

    employee_id: str
    display_name: str
    email: str
    roles: frozenset[Role]
    service_line: str | None = None
    manager_line: str | None = None
    active: bool
    left_at: date | None = None

    def is_current(self, on: date | None = None) -> bool:
        """Active and not left (on ``on``: a leaving date after it still counts as current)."""
        if not self.active:
            return False
        return self.left_at is None or (on is not None and self.left_at > on)


def member(content: dict[str, Any]) -> StaffMember:
    """A staff-directory record's content as a member."""
    return StaffMember.model_validate(content)


async def get_staff(session: AsyncSession, employee_id: str) -> StaffMember | None:
    """The directory record of ``employee_id`` (even if inactive or left), or None."""
    content = await session.scalar(
        select(SourceRecord.content).where(
            SourceRecord.feed == STAFF_FEED, SourceRecord.key == employee_id
        )
    )
    return None if content is None else member(content)


async def staff_with_role(
    session: AsyncSession, role: Role, *, on: date | None = None
) -> list[StaffMember]:
    """Current staff (active, not left — see ``StaffMember.is_current``) holding ``role``,
    ordered by employee ID."""
    members = await list_staff(session)
    return [member for member in members if role in member.roles and member.is_current(on)]


async def list_staff(session: AsyncSession) -> list[StaffMember]:
    """Every staff-directory record (leavers and inactive staff included), by employee ID."""
    rows = await session.scalars(
        select(SourceRecord.content)
        .where(SourceRecord.feed == STAFF_FEED)
        .order_by(SourceRecord.key)
    )
    return [member(content) for content in rows]


def name_and_id(member: StaffMember | None, employee_id: str) -> str:
    """How pages and documents name a person: "Aled Price (E0121)", or the bare ID when the
    directory does not know it."""
    return employee_id if member is None else f"{member.display_name} ({employee_id})"


async def staff_names(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    """Employee ID → "Display Name (ID)" for the IDs the staff directory knows (one query)."""
    wanted = sorted(i for i in ids if i and i != "system")
    if not wanted:
        return {}
    rows = await session.execute(
        select(SourceRecord.key, SourceRecord.content).where(
            SourceRecord.feed == STAFF_FEED, SourceRecord.key.in_(wanted)
        )
    )
    return {key: name_and_id(member(content), key) for key, content in rows}


async def triage_owners(session: AsyncSession) -> set[str]:
    """Who the latest daily acknowledgment review names as a report's triage owner: the people
    who triage their service line's reports (the staff directory has no job title, and the feed
    contract has no field for one, so this is how a team lead is told from a frontline worker).
    One review's items, read by their review ID."""
    latest = await session.scalar(
        select(Review.review_id)
        .where(Review.example == EXAMPLE_ACKNOWLEDGMENT)
        .order_by(Review.as_of.desc())
        .limit(1)
    )
    if latest is None:
        return set()
    owner = item_text(ReviewItem, "triage_owner_id")
    rows = await session.scalars(
        select(owner).where(ReviewItem.review_id == latest, owner.is_not(None)).distinct()
    )
    return {row for row in rows if row}
