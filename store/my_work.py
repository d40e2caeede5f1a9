"""What a person owes now, read from the projection: reviews awaiting their sign-off, the open
obligations of cases (steps for their roles, acceptance and actions they own), confirmation forms
they are asked for, and the escalation level each has reached (the breaches table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.credibility import case_ref_of
from domain.reviews import REVIEWS
from domain.roles import Role
from store.sources import current_records
from store.tables import Breach, Case, OpenObligation, OutboxMessage, Review, SourceRecord

CONFIRMATION_FEED = "employee-confirmation-form"
CLOSED_FEED = "closed-case-register"
EARLIEST = datetime.min.replace(tzinfo=UTC)


class OwedCase(NamedTuple):
    """The columns of a case that "my work" shows beside what is owed (a named tuple: a busy
    role owes thousands, and a frozen dataclass costs four times as much to build)."""

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


async def case_obligations(
    session: AsyncSession, employee_id: str, roles: frozenset[Role]
) -> list[CaseOwed]:
    """Open obligations of open cases owed by the person: assigned to them by name, or
    unassigned and for one of their roles. One table (``case_open_obligations``, which the
    projection keeps with each obligation's title and deadline and the case's own columns
    shown here): open cases spread over years of ``cases`` are not read at all."""
    owes = OpenObligation.assignee == employee_id
    if roles:
        by_role = OpenObligation.role.in_([role.value for role in roles])
        owes = or_(owes, and_(OpenObligation.assignee.is_(None), by_role))
    connection = await session.connection()  # Core rows: no ORM loading for plain columns
    rows = await connection.execute(
        select(
            OpenObligation.case_id,
            OpenObligation.example,
            OpenObligation.reference,
            OpenObligation.exposure,
            OpenObligation.service_line,
            OpenObligation.key,
            OpenObligation.title,
            OpenObligation.role,
            OpenObligation.deadline,
        )
        .where(OpenObligation.case_status == "open", owes)
        .order_by(OpenObligation.case_id, OpenObligation.key)
    )
    owed = []
    for case_id, example, reference, exposure, line, key, title, role, deadline in rows.all():
        if deadline is not None:  # every projected obligation has one
            case = OwedCase(case_id, example or "", reference or "", exposure or "", line or "")
            owed.append(CaseOwed(case, key, title or "", role, deadline))
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


@dataclass(frozen=True)
class Asked:
    """A closure the person reported and is asked to confirm (or not) as resolved."""

    case_ref: str
    reference: str
    exposure: str | None
    service_line: str
    closed_at: datetime | None
    again: bool = False  # asked again during a closure repair (example 3's reconfirmation)


def _instant(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


async def confirmations_asked(session: AsyncSession, employee_id: str) -> list[Asked]:
    """Closures the person reported and has not yet answered, oldest first: the service's own
    closed cases and the previous system's (``closed-case-register``, which example 3 audits
    and reconfirms), as "my reports" lists them. One per ``case_ref``."""
    closed = await session.scalars(
        select(Case)
        .where(Case.status == "closed", Case.employee_id == employee_id)
        .order_by(Case.closed_at)
    )
    asked = {
        c.case_id: Asked(c.case_id, c.reference, c.exposure, c.service_line, c.closed_at)
        for c in closed
    }
    register = await session.scalars(
        select(SourceRecord.content).where(
            SourceRecord.feed == CLOSED_FEED,
            SourceRecord.content["employee_id"].as_string() == employee_id,
        )
    )
    for row in register:
        ref = str(row.get("case_ref", ""))
        if ref and ref not in asked:
            closed_at = _instant(row.get("closed_at"))
            reference = str(row.get("reference", ref))
            asked[ref] = Asked(ref, reference, None, str(row.get("service_line", "")), closed_at)
    again = await _asked_again(session, employee_id)
    refs = list(dict.fromkeys([*asked, *again]))
    answered = await current_records(session, CONFIRMATION_FEED, refs)
    waiting = [a for ref, a in asked.items() if ref not in answered and ref not in again]
    for ref, (case, asked_at) in again.items():
        answer_at = _instant(answered.get(ref, {}).get("responded_at"))
        if answer_at is None or answer_at < asked_at:
            waiting.append(
                Asked(ref, case.reference, case.exposure, case.service_line, asked_at, True)
            )
    return sorted(waiting, key=lambda a: (a.closed_at is None, a.closed_at or EARLIEST))


async def _asked_again(session: AsyncSession, employee_id: str) -> dict[str, tuple[Case, datetime]]:
    """The person's closures under repair (example 3) whose reconfirmation was sent: by
    ``case_ref``, the case and when it was last asked (the queued mail's instant)."""
    cases = await session.scalars(
        select(Case).where(
            Case.example == names.EXAMPLE_CREDIBILITY,
            Case.status == "open",
            Case.employee_id == employee_id,
        )
    )
    found: dict[str, tuple[Case, datetime]] = {}
    for case in cases:
        asked_at = await session.scalar(
            select(func.max(OutboxMessage.created_at)).where(
                OutboxMessage.dedupe_key.startswith(
                    f"reconfirmation:{case.case_id}:", autoescape=True
                )
            )
        )
        if asked_at is not None:
            found[case_ref_of(case.case_id)] = (case, asked_at)
    return found
