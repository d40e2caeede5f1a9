"""A reporting worker's closures and their answers: one reading for "my work" and "my reports".

A closure is keyed by what the worker's answer is stored under (``case_ref`` of the
employee-confirmation form): the service's own closed case (``ack-case-NM-1``), or a closed case
of the register (``CC-0001``). An example-3 case repairs a register closure: its reconfirmation
asks and its own closure ("closed again") are the same closure asked again, keyed by the closed
case (``closure-case-CC-0001`` → ``CC-0001``), so the worker has one answer per closure and both
pages show the same one, under the report's own reference (NM-…).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.credibility import NOT_CREDIBLE, case_ref_of
from domain.credibility_steps import REPAIR_VALIDATION
from store.sources import current_records
from store.tables import (
    Case,
    CaseEvent,
    OpenObligation,
    OutboxMessage,
    Review,
    ReviewItem,
    SourceRecord,
)

CONFIRMATION_FEED = "employee-confirmation-form"
CLOSED_FEED = "closed-case-register"
EARLIEST = datetime.min.replace(tzinfo=UTC)
Row = dict[str, Any]

CLOSED, CLOSED_AGAIN, ASKED_AGAIN = "closed", "closed again", "asked again"
VALIDATION = REPAIR_VALIDATION.slug  # the step that reads the worker's updated answer


def confirmation_key(case_ref: str) -> str:
    """What an answer about ``case_ref`` is stored under: an example-3 case's answer is the
    answer about the closed case it repairs (its closure mail links to the case ID)."""
    return case_ref_of(case_ref) if case_ref.startswith("closure-case-") else case_ref


@dataclass(frozen=True)
class Asked:
    """A closure the person reported and is asked to confirm (or not) as resolved."""

    case_ref: str
    reference: str
    exposure: str | None
    service_line: str
    closed_at: datetime | None  # when last asked: the closure, re-closure or reconfirmation
    again: bool = False  # asked again: reconfirmation during a repair, or its re-closure
    why: str = CLOSED  # CLOSED, CLOSED_AGAIN or ASKED_AGAIN


@dataclass(frozen=True)
class Closure:
    """One closure of the worker's, with its current answer and what happens to it next."""

    asked: Asked
    category: str  # how it was (last) closed: the register's or the closed event's category
    first_closed_at: datetime | None  # the closure the monthly review reads
    answer: Row | None  # the latest answer, even one given before it was asked again
    waiting: bool  # no answer since it was (last) asked
    repair_open: bool  # an example-3 case repairing it is open
    repair_due: datetime | None  # when that case's validation (which reads the answer) is due
    reviewed: bool  # the monthly closure-credibility review of its closure month exists
    # when the first closure review generated after its answer was (that review read it)
    last_reviewed_at: datetime | None = None
    # its "not resolved" came after that (or after its month's review ran) and no repair is
    # open: the next monthly review takes it again (``domain.credibility.is_late_dispute``)
    late: bool = False
    # its month's review found it doubtful or failed and its adjudication has not opened yet
    # (the review is not marked reviewed): that adjudication reads the current answer
    adjudication_to_come: bool = False


def _instant(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


async def _categories(session: AsyncSession, case_ids: list[str]) -> dict[str, str]:
    if not case_ids:
        return {}
    events = await session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind == "closed")
        .order_by(CaseEvent.at)
    )
    return {e.case_id: str((e.detail or {}).get("category") or "") for e in events}


async def _asked_again(session: AsyncSession, cases: list[Case]) -> dict[str, datetime]:
    """Open repairs whose reconfirmation was sent: by ``case_ref``, when last asked."""
    found: dict[str, datetime] = {}
    for case in cases:
        asked_at = await session.scalar(
            select(func.max(OutboxMessage.created_at)).where(
                OutboxMessage.dedupe_key.startswith(
                    f"reconfirmation:{case.case_id}:", autoescape=True
                )
            )
        )
        if asked_at is not None:
            found[case_ref_of(case.case_id)] = asked_at
    return found


async def _repair_due(session: AsyncSession, case_ids: list[str]) -> dict[str, datetime]:
    if not case_ids:
        return {}
    rows = await session.execute(
        select(OpenObligation.case_id, func.min(OpenObligation.deadline))
        .where(OpenObligation.case_id.in_(case_ids), OpenObligation.key == VALIDATION)
        .group_by(OpenObligation.case_id)
    )
    return {case_id: due for case_id, due in rows if due is not None}


async def _reviews(session: AsyncSession) -> dict[str, datetime]:
    """Every closure-credibility review's month and when it was generated (one a month)."""
    rows = await session.execute(
        select(Review.period, Review.generated_at).where(
            Review.example == names.EXAMPLE_CREDIBILITY
        )
    )
    found: dict[str, datetime] = {}
    for period, at in rows:
        found[period] = max(at, found.get(period, at))
    return found


async def _found_not_credible(session: AsyncSession, refs: list[str]) -> set[str]:
    """The closures of ``refs`` a closure-credibility review found doubtful or failed."""
    if not refs:
        return set()
    found = await session.scalars(
        select(ReviewItem.reference)
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == names.EXAMPLE_CREDIBILITY,
            ReviewItem.reference.in_(refs),
            ReviewItem.classification.in_(sorted(NOT_CREDIBLE)),
        )
    )
    return set(found)


def _month(at: datetime | None, zone: str) -> str:
    """The closure's calendar month in the provider's zone ("2026-10"), as its review's period."""
    return at.astimezone(ZoneInfo(zone) if zone else UTC).strftime("%Y-%m") if at else ""


async def worker_closures(session: AsyncSession, employee_id: str, zone: str = "") -> list[Closure]:
    """Every closure ``employee_id`` reported, oldest first, with its answer; ``zone`` (the
    provider's) places a closure in its month."""
    cases = list(await session.scalars(select(Case).where(Case.employee_id == employee_id)))
    credibility = sorted(
        (c for c in cases if c.example == names.EXAMPLE_CREDIBILITY), key=lambda c: c.opened_at
    )
    repairs = {case_ref_of(c.case_id): c for c in credibility}  # the latest case of a closure
    categories = await _categories(session, [c.case_id for c in cases if c.status == "closed"])
    found: dict[str, dict[str, Any]] = {}
    for case in cases:
        if case.status == "closed" and case.example != names.EXAMPLE_CREDIBILITY:
            found[case.case_id] = {
                "ref": case.case_id, "reference": case.reference, "exposure": case.exposure,
                "line": case.service_line, "closed": case.closed_at,
                "category": categories.get(case.case_id, ""),
            }  # fmt: skip
    register = await session.scalars(
        select(SourceRecord.content).where(
            SourceRecord.feed == CLOSED_FEED,
            SourceRecord.content["employee_id"].as_string() == employee_id,
        )
    )
    for row in register:
        ref = str(row.get("case_ref", ""))
        if ref and ref not in found:
            found[ref] = {
                "ref": ref, "reference": str(row.get("reference") or ref), "exposure": None,
                "line": str(row.get("service_line", "")), "closed": _instant(row.get("closed_at")),
                "category": str(row.get("closure_category") or ""),
            }  # fmt: skip
    for ref, redo in repairs.items():  # a re-closure whose first closure is not listed above
        if ref not in found and redo.status == "closed":
            found[ref] = {
                "ref": ref, "reference": redo.reference, "exposure": redo.exposure,
                "line": redo.service_line, "closed": None, "category": "",
            }  # fmt: skip
    open_repairs = [c for c in repairs.values() if c.status == "open"]
    again = await _asked_again(session, open_repairs)
    due = await _repair_due(session, [c.case_id for c in open_repairs])
    answers = await current_records(session, CONFIRMATION_FEED, list(found))
    reviews = await _reviews(session)
    latest = max(reviews.values(), default=None)
    unopened = [  # reviewed closures no example-3 case was opened for (yet)
        ref for ref, f in found.items()
        if ref not in repairs and _month(f["closed"], zone) in reviews
    ]  # fmt: skip
    to_adjudicate = await _found_not_credible(session, unopened)
    closures = []
    for ref, f in found.items():
        repair = repairs.get(ref)
        asked_at, why = f["closed"], CLOSED
        category = f["category"]
        if repair is not None and repair.status == "closed" and repair.closed_at:
            asked_at, why = repair.closed_at, CLOSED_AGAIN
            category = categories.get(repair.case_id, "") or category
        elif ref in again:
            asked_at, why = again[ref], ASKED_AGAIN
        answer = answers.get(ref)
        answered_at = _instant((answer or {}).get("responded_at"))
        stale = why != CLOSED and (answered_at is None or (asked_at and answered_at < asked_at))
        line = f["line"] or (repair.service_line if repair else "")
        month_reviewed = _month(f["closed"], zone) in reviews
        repair_open = repair is not None and repair.status == "open"
        ended = repair.closed_at if repair is not None and repair.status == "closed" else None
        # The next review takes a "not resolved" received after the latest review and after a
        # repair ended (``store.credibility_late``); an earlier one was read by the first review
        # generated after it (as the month's closure, or taken again as a late dispute).
        late = (
            ref not in to_adjudicate
            and answer is not None
            and answer.get("confirmed") is False
            and not repair_open
            and (month_reviewed or ended is not None)
            and answered_at is not None
            and (latest is None or answered_at > latest)
            and (ended is None or answered_at > ended)
        )
        read_by = min((at for at in reviews.values() if answered_at and at > answered_at),
                      default=None)  # fmt: skip
        asked = Asked(ref, f["reference"], f["exposure"], line, asked_at, why != CLOSED, why)
        closures.append(
            Closure(
                asked=asked,
                category=category,
                first_closed_at=f["closed"],
                answer=answer,
                waiting=answer is None or bool(stale),
                repair_open=repair_open,
                repair_due=due.get(repair.case_id) if repair is not None else None,
                reviewed=month_reviewed,
                last_reviewed_at=read_by,
                late=late,
                adjudication_to_come=ref in to_adjudicate,
            )
        )
    return sorted(
        closures, key=lambda c: (c.asked.closed_at is None, c.asked.closed_at or EARLIEST)
    )


async def confirmations_asked(session: AsyncSession, employee_id: str) -> list[Asked]:
    """Closures the person reported and has not answered since last asked, oldest first (as
    "my reports" counts them). One per closure."""
    return [c.asked for c in await worker_closures(session, employee_id) if c.waiting]
