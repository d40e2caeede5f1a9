"""The confirmation forms a person is asked for: closures they reported and have not answered
(the service's own closed cases and the previous system's closed-case register), and closures
under repair whose reconfirmation was sent since their last answer (example 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.credibility import case_ref_of
from store.sources import current_records
from store.tables import Case, OutboxMessage, SourceRecord

CONFIRMATION_FEED = "employee-confirmation-form"
CLOSED_FEED = "closed-case-register"
EARLIEST = datetime.min.replace(tzinfo=UTC)


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
