"""Late disputes: closures of earlier months that a month's closure review takes again.

A worker may answer the employee confirmation "not resolved" after the monthly review of the
closure's month has run, or after a repair of it has ended: nothing else would ever look at that
answer again (the false speaking-up closure example 3 exists to catch). The next month's review
takes each such closure (``domain.credibility.is_late_dispute``) as one of the service's rows of
its statement (``own``), so it is reconciled and classified with the same pinned rules and
opens a case like any other; its item says it is a late dispute and since when.

Read before the statement, in a few small reads: the previous review's instant bounds the
answers looked at (a later answer than the previous review's generation; an earlier one was
that review's to take), so only the answers received since then are read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.credibility import (
    ANSWER_RECEIVED_AT,
    CLOSED_REGISTER,
    CONFIRMATIONS,
    LAST_REVIEWED_AT,
    LATE_DISPUTE,
    case_ref_of,
    credibility_case_id,
    is_late_dispute,
)
from domain.instants import instant, iso
from domain.names import EXAMPLE_CREDIBILITY
from store.sources import current_records
from store.tables import Case, Review, SourceRecord
from store.tables import ReviewItem as ReviewItemRow

OwnRows = Callable[[AsyncSession, list[Case]], Awaitable[dict[str, dict[str, Any]]]]


async def previous_review_at(session: AsyncSession, review_id: str) -> datetime | None:
    """When the latest other closure review was generated (None: there is none)."""
    return await session.scalar(
        select(func.max(Review.generated_at)).where(
            Review.example == EXAMPLE_CREDIBILITY, Review.review_id != review_id
        )
    )


async def last_reviewed(
    session: AsyncSession, refs: list[str], review_id: str = ""
) -> dict[str, datetime]:
    """When each closure of ``refs`` was last looked at: the latest closure review holding it
    (but ``review_id``), or the end of a repair of it, whichever is later."""
    if not refs:
        return {}
    held = await session.execute(
        select(ReviewItemRow.reference, func.max(Review.generated_at))
        .join(Review, Review.review_id == ReviewItemRow.review_id)
        .where(
            Review.example == EXAMPLE_CREDIBILITY,
            Review.review_id != review_id,
            ReviewItemRow.reference.in_(refs),
        )
        .group_by(ReviewItemRow.reference)
    )
    found: dict[str, datetime] = {ref: at for ref, at in held if at is not None}
    repairs = await session.execute(
        select(Case.case_id, Case.closed_at).where(
            Case.case_id.in_([credibility_case_id(r) for r in refs]), Case.status == "closed"
        )
    )
    for case_id, closed_at in repairs:
        ref = case_ref_of(case_id)
        if closed_at is not None and (ref not in found or closed_at > found[ref]):
            found[ref] = closed_at
    return found


async def late_disputes(
    session: AsyncSession, review_id: str, month_start: datetime, own_rows: OwnRows
) -> dict[str, dict[str, Any]]:
    """The closures the review of the month starting ``month_start`` takes again, as the
    service's rows of its statement (``store.credibility_closures``), by ``case_ref``;
    ``own_rows`` makes the service's own closed cases' rows (as the month's own closures')."""
    previous = await previous_review_at(session, review_id)
    if previous is None:
        return {}
    answers = dict(
        (
            await session.execute(
                select(SourceRecord.key, SourceRecord.received_at).where(
                    SourceRecord.feed == CONFIRMATIONS,
                    SourceRecord.confirmed == false(),
                    SourceRecord.received_at > previous,
                )
            )
        ).all()
    )
    if not answers:
        return {}
    refs = sorted(answers)
    looked = await last_reviewed(session, refs, review_id)
    open_repairs = set(
        await session.scalars(
            select(Case.case_id).where(
                Case.case_id.in_([credibility_case_id(r) for r in refs]), Case.status == "open"
            )
        )
    )
    own_cases = await session.scalars(
        select(Case).where(
            Case.case_id.in_(refs),
            Case.status == "closed",
            Case.example != EXAMPLE_CREDIBILITY,
        )
    )
    rows = await own_rows(session, list(own_cases))
    for ref, row in (await current_records(session, CLOSED_REGISTER, refs)).items():
        if ref not in rows:
            rows[ref] = {**row, "source": CLOSED_REGISTER, "origin_example": None}
    late = {}
    for ref, row in rows.items():
        closed_at = instant(row.get("closed_at"))
        if closed_at is None or not is_late_dispute(
            confirmed=False,
            received_at=answers[ref],
            closed_at=closed_at,
            month_start=month_start,
            previous_review_at=previous,
            last_reviewed_at=looked.get(ref),
            repair_open=credibility_case_id(ref) in open_repairs,
        ):
            continue
        late[ref] = {
            **row,
            LATE_DISPUTE: True,
            LAST_REVIEWED_AT: iso(looked.get(ref)),
            ANSWER_RECEIVED_AT: iso(answers[ref]),
        }
    return late
