"""Late disputes: closures of earlier months that a month's closure review takes again.

A worker may answer the employee confirmation "not resolved" after the monthly review of the
closure's month has run, or after a repair of it has ended: nothing else would ever look at that
answer again (the false speaking-up closure example 3 exists to catch). The next month's review
takes each such closure (``domain.credibility.is_late_dispute``) as one of the service's rows of
its statement (``own``), so it is reconciled and classified with the same pinned rules and
opens a case like any other; its item says it is a late dispute and since when.

Read before the statement, in a few small reads: the previous review's instant bounds the
answers looked at (a later answer than the previous review's generation; an earlier one was
that review's to take), so only the answers "not resolved" received since then about a closure
of an earlier month are read. With no earlier closure review (a first review; every benchmark
run) it is one read of the reviews' table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.credibility import (
    ANSWER_RECEIVED_AT,
    ANSWERED_AFTER,
    CLOSED_REGISTER,
    CONFIRMATIONS,
    LATE_DISPUTE,
    case_ref_of,
    is_late_dispute,
)
from domain.instants import instant, iso
from domain.names import EXAMPLE_CREDIBILITY
from store.source_fields import epoch_us
from store.sources import current_records
from store.tables import Case, Review, SourceRecord

OwnRows = Callable[[AsyncSession, list[Case]], Awaitable[dict[str, dict[str, Any]]]]


async def previous_review_at(session: AsyncSession, review_id: str) -> datetime | None:
    """When the latest other closure review was generated (None: there is none)."""
    return await session.scalar(
        select(func.max(Review.generated_at)).where(
            Review.example == EXAMPLE_CREDIBILITY, Review.review_id != review_id
        )
    )


def last_reviewed(
    repairs: list[tuple[str, str, datetime | None]],
) -> tuple[dict[str, datetime], set[str]]:
    """When a repair of each closure last ended and the closures with a repair open, from
    example-3 ``repairs`` (case ID, status, closed at; a closed case's first or later ones)."""
    found: dict[str, datetime] = {}
    open_refs = set()
    for case_id, status, closed_at in repairs:
        ref = case_ref_of(case_id)
        if status == "open":
            open_refs.add(ref)
        elif closed_at is not None and (ref not in found or closed_at > found[ref]):
            found[ref] = closed_at
    return found, open_refs


async def late_disputes(
    session: AsyncSession, review_id: str, month_start: datetime, own_rows: OwnRows
) -> dict[str, dict[str, Any]]:
    """The closures the review of the month starting ``month_start`` takes again, as the
    service's rows of its statement (``store.credibility_closures``), by ``case_ref``;
    ``own_rows`` makes the service's own closed cases' rows (as the month's own closures')."""
    previous = await previous_review_at(session, review_id)
    if previous is None:
        return {}
    # The answers "not resolved" received since, about a closure of an earlier month (the
    # register's or the service's own; decided below): not the month's own closures' answers.
    cf, register = aliased(SourceRecord, name="cf"), aliased(SourceRecord, name="reg")
    own = and_(Case.case_id == cf.key, Case.status == "closed", Case.example != EXAMPLE_CREDIBILITY)
    answers = dict(
        (
            await session.execute(
                select(cf.key, cf.received_at)
                .outerjoin(register, and_(register.feed == CLOSED_REGISTER, register.key == cf.key))
                .outerjoin(Case, own)
                .where(
                    cf.feed == CONFIRMATIONS,
                    cf.confirmed == false(),
                    cf.received_at > previous,
                    or_(
                        register.closed_at_us < epoch_us(month_start),
                        Case.closed_at < month_start,
                    ),
                )
            )
        ).all()
    )
    if not answers:
        return {}
    refs = sorted(answers)
    # Every example-3 case open now or ended since the previous review (an earlier end is
    # before the answer anyway): a handful, whatever the closed case's first or later case.
    repairs = await session.execute(
        select(Case.case_id, Case.status, Case.closed_at).where(
            Case.example == EXAMPLE_CREDIBILITY,
            or_(Case.status == "open", Case.closed_at > previous),
        )
    )
    # No other review was generated after ``previous``: a review holding a closure only dates
    # its last look no later than ``previous``, which every answer here comes after. So only
    # the repairs decide (reading the reviews' items for thousands of closures cost 0.2-0.7 s at
    # 100k items a month: bench/RESULTS.md, "late12").
    looked, open_repairs = last_reviewed([(c, s, at) for c, s, at in repairs])
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
            repair_open=ref in open_repairs,
        ):
            continue
        after = max(previous, looked.get(ref, previous))
        late[ref] = {
            **row,
            LATE_DISPUTE: True,
            ANSWERED_AFTER: iso(after),
            ANSWER_RECEIVED_AT: iso(answers[ref]),
        }
    return late
