"""What a person owes now, read from the projection: reviews awaiting their sign-off, the open
obligations of cases (steps for their roles, acceptance and actions they own), confirmation forms
they are asked for, and the escalation level each has reached (the breaches table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reviews import REVIEWS
from domain.roles import Role
from store.sources import current_records
from store.tables import Breach, Case, Review

CONFIRMATION_FEED = "employee-confirmation-form"


@dataclass(frozen=True)
class CaseOwed:
    """One open obligation of a case that the person owes (by role or as named owner)."""

    case: Case
    key: str
    title: str
    role: str | None
    deadline: datetime


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


def _owes(item: dict[str, Any], employee_id: str, roles: frozenset[Role]) -> bool:
    if item.get("assignee"):
        return bool(item["assignee"] == employee_id)
    return item.get("role") in {role.value for role in roles}


async def case_obligations(
    session: AsyncSession, employee_id: str, roles: frozenset[Role]
) -> list[CaseOwed]:
    """Open obligations of open cases owed by the person: their roles' steps, or what they own."""
    cases = await session.scalars(select(Case).where(Case.status == "open"))
    owed = []
    for case in cases:
        for item in (case.detail or {}).get("open", []):
            if _owes(item, employee_id, roles):
                deadline = datetime.fromisoformat(item["deadline"])
                owed.append(CaseOwed(case, item["key"], item["title"], item["role"], deadline))
    return owed


async def breach_levels(session: AsyncSession, subjects: list[str]) -> dict[tuple[str, str], int]:
    """The highest open breach level per (case or review ID, obligation)."""
    if not subjects:
        return {}
    rows = await session.scalars(
        select(Breach).where(Breach.resolved_at.is_(None), Breach.case_id.in_(subjects))
    )
    levels: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.case_id, row.step)
        levels[key] = max(levels.get(key, 0), row.level)
    return levels


async def confirmations_asked(session: AsyncSession, employee_id: str) -> list[Case]:
    """Closed cases the person reported and has not yet confirmed (or not) as resolved."""
    closed = list(
        await session.scalars(
            select(Case)
            .where(Case.status == "closed", Case.employee_id == employee_id)
            .order_by(Case.closed_at)
        )
    )
    answered = await current_records(session, CONFIRMATION_FEED, [c.case_id for c in closed])
    return [case for case in closed if case.case_id not in answered]
