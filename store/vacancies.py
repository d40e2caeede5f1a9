"""Roles the governance steps need that nobody currently holds (the administrator is alerted)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from domain.examples import STEP_SPECS
from domain.packs import PACKS
from domain.reviews import REVIEWS
from domain.roles import Role
from domain.steps import EXAMPLE_DIRECTORS
from store.staff import list_staff

NEEDED_ROLES: frozenset[Role] = frozenset(
    {spec.role for spec in STEP_SPECS.values() if spec.role}
    | {spec.role for spec in REVIEWS.values()}
    | {spec.publisher for spec in PACKS.values()}
    | set(EXAMPLE_DIRECTORS.values())
    | {Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER}
)
"""Every role a review, step, pack or escalation waits on."""


async def vacant_roles(session: AsyncSession, today: date) -> list[Role]:
    """Needed roles with no active holder on ``today`` (none left, none inactive), sorted."""
    held: set[Role] = set()
    for member in await list_staff(session):
        if member.is_current(today):
            held |= member.roles
    return sorted(NEEDED_ROLES - held)
