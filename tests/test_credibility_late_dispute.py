"""A worker's "not resolved" that comes after the monthly review of their closure: the next
month's review takes the closure again as a late dispute (classified with the same pinned rules)
and its case goes through adjudication like any other, on the time-skipping server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from domain import names
from domain.credibility import credibility_case_id, next_month, parse_month
from domain.feeds import FEEDS
from domain.instants import instant
from domain.periodic import MarkReviewed, ReviewInput, ReviewSummary
from domain.reviews import review_id
from store.db import transaction
from store.sources import upsert_records
from store.tables import Case, ReviewItem
from tests.credibility_support import (
    ADJ_DOCS,
    CAL,
    PEOPLE,
    RPC,
    adjudication,
    closed,
    open_docs,
    submit,
    who,
)
from tests.factories import load, staff_rows
from tests.workflow_support import CALENDAR, running_worker, skip, wait_for, wait_stage


def _ended_repair(case_ref: str, review: str, at: datetime) -> Case:
    """An example-3 case of ``case_ref`` that ended at ``at`` (its row as the case leaves it)."""
    return Case(
        case_id=credibility_case_id(case_ref), example=names.EXAMPLE_CREDIBILITY,
        reference=f"NM-{case_ref}", review_id=review, employee_id="W-1", service_line="SL-A",
        exposure="doubtful", stage="closed", status="closed", escalation_level=0,
        opened_at=at - timedelta(days=1), updated_at=at, closed_at=at, detail={},
    )  # fmt: skip


async def _answer(env, sessions, case_ref: str, confirmed: bool) -> None:
    """The worker's answer, received now on the server's clock (as a form sent now is)."""
    now = await env.get_current_time()
    row = {"case_ref": case_ref, "employee_id": "W-1", "confirmed": confirmed,
           "responded_at": now.isoformat()}  # fmt: skip
    async with transaction(sessions) as session:
        model = FEEDS["employee-confirmation-form"].model
        await upsert_records(session, "employee-confirmation-form", [model(**row)], now)


async def _review(env, queue, period: str) -> tuple[object, ReviewSummary]:
    """Month PERIOD's review, generated on the next month's first working day and marked."""
    rid = review_id(names.EXAMPLE_CREDIBILITY, period)
    review = await env.client.start_workflow(
        names.WF_REVIEW,
        ReviewInput(review_id=rid, example=names.EXAMPLE_CREDIBILITY, period=period,
                    calendar=CALENDAR, policy_version="closure-policy-v1"),
        id=rid, task_queue=queue, result_type=ReviewSummary,
    )  # fmt: skip
    following = next_month(parse_month(period))
    first = CAL.nth_working_day_of_month(datetime.combine(following, time(12), tzinfo=UTC), 1)
    as_of = CAL.wall(first.date(), time(7))
    await skip(env, as_of - await env.get_current_time() + timedelta(minutes=1), timedelta(days=1))

    async def generated():
        summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
        return summary.as_of is not None and summary

    summary = await wait_for(generated)
    await review.execute_update(
        names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=who("E-WXANALYST")), rpc_timeout=RPC
    )
    return review, summary


async def test_not_resolved_after_the_review_is_in_the_next_review_and_adjudicated(
    own_env, sqlite_url, sessions_for
):
    sessions = sessions_for(sqlite_url)
    now = await own_env.get_current_time()
    local = CAL.local(now)
    month = f"{local.year:04d}-{local.month:02d}"
    await load(sessions, "staff-directory", staff_rows(PEOPLE))
    # CC-L: credible in its month's review; CC-E: its repair (a case of that review) ends later.
    refs = ("CC-L", "CC-E")
    await load(
        sessions, "closed-case-register", [closed(r, now - timedelta(minutes=1)) for r in refs]
    )
    evidence = [
        {"case_ref": r, "evidence_type": "photo", "recorded_at": now.isoformat()} for r in refs
    ]
    await load(sessions, "final-action-evidence-library", evidence)
    for ref in refs:
        await _answer(own_env, sessions, ref, True)
    async with running_worker(own_env, sessions) as queue:
        first, summary = await _review(own_env, queue, month)
        first_generated = summary.generated_at
        assert summary.counts == {"credible": 2, "doubtful": 0, "failed": 0}  # no case opens
        assert (await asyncio.wait_for(first.result(), 60)).cases_opened == 0
        await skip(own_env, timedelta(days=1))
        async with transaction(sessions) as session:  # CC-E's repair case, as it ends: closed
            session.add(_ended_repair("CC-E", summary.review_id, await own_env.get_current_time()))

        # After the review (and after CC-E's repair ended), both answer: not resolved.
        await skip(own_env, timedelta(days=2))
        for ref in refs:
            await _answer(own_env, sessions, ref, False)
        later = f"{next_month(parse_month(month)):%Y-%m}"
        second, summary = await _review(own_env, queue, later)
        assert summary.counts == {"credible": 0, "doubtful": 0, "failed": 2}
        async with sessions() as s:
            item = await s.get(ReviewItem, (summary.review_id, "CC-L"))
            assert item is not None and item.classification == "failed"
            assert item.fields["late_dispute"] is True
            assert item.fields["credibility_reasons"] == ["employee_answered_not_resolved"]
            assert "disputed_closure" in item.fields["flags"]
            # she answered after the previous review (which held her closure) was generated
            assert instant(item.fields["answered_after"]) == first_generated
        assert (await asyncio.wait_for(second.result(), 60)).cases_opened == 2
        # CC-E's first case has ended: a later one, named after this review's month, adjudicates
        again = own_env.client.get_workflow_handle(credibility_case_id("CC-E", later))
        assert again.id == f"closure-case-CC-E~late-{later}"
        state = await wait_stage(again, "credibility-adjudication")
        assert state.computed["credibility-adjudication"]["review_classification"] == "failed"

        case = own_env.client.get_workflow_handle(credibility_case_id("CC-L"))
        state = await wait_stage(case, "credibility-adjudication")
        assert state.computed["credibility-adjudication"]["review_classification"] == "failed"
        await open_docs(case, "E-QALEAD", ADJ_DOCS)
        receipt = await submit(
            case, "credibility-adjudication", "E-QALEAD", adjudication(state, "failed")
        )
        assert receipt["step"] == "credibility-adjudication"
        await wait_stage(case, "repair-pathway")
        async with sessions() as s:
            row = await s.scalar(select(Case).where(Case.case_id == case.id))
        assert row is not None and row.review_id == summary.review_id

        # Read by that review, her answer is not taken a third time.
        third, summary = await _review(own_env, queue, f"{next_month(parse_month(later)):%Y-%m}")
        assert summary.counts == {"credible": 0, "doubtful": 0, "failed": 0}
        assert (await asyncio.wait_for(third.result(), 60)).cases_opened == 0
