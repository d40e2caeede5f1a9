"""Reviews of examples 2 and 3 on the time-skipping server: started for a period, generated,
marked (opening their cases); example 2's case opened on a chosen day and a doubtful example-3
closure seeded (working-day deadline tests)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from domain import names
from domain.learning_cycles import audit_period
from domain.learning_steps import learning_case_id
from domain.periodic import MarkReviewed, ReviewInput, ReviewSummary
from domain.reviews import review_id
from tests import credibility_support as credibility_flow
from tests import learning_support as learning_flow
from tests.factories import load, staff_rows
from tests.learning_factories import LEARNING_STAFF, closed_report, load_closed
from tests.workflow_support import CALENDAR, generated_skipping, wait_for

RPC = timedelta(seconds=30)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def start_review(env, queue, example: str, period: str, policy: str):
    rid = review_id(example, period)
    inp = ReviewInput(
        review_id=rid, example=example, period=period, calendar=CALENDAR, policy_version=policy
    )
    return await env.client.start_workflow(
        names.WF_REVIEW, inp, id=rid, task_queue=queue, result_type=ReviewSummary
    )


async def generated(review) -> ReviewSummary:
    async def check() -> ReviewSummary | None:
        summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
        return summary if summary.as_of is not None else None

    result: ReviewSummary = await wait_for(check)
    return result


async def mark_and_open_cases(review, actor) -> int:
    await review.execute_update(
        names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=actor), rpc_timeout=RPC
    )
    return (await asyncio.wait_for(review.result(), 60)).cases_opened


async def open_learning_case_on(env, sessions, queue, eve: date, reference: str):
    """The audit of the last ended cycle, marked reviewed on EVE: the case opens that afternoon."""
    period = audit_period(eve)
    await load(sessions, "staff-directory", staff_rows(LEARNING_STAFF))
    closed = datetime.combine(date.fromisoformat(period) + timedelta(days=7), time(12), UTC)
    await load_closed(sessions, [closed_report(reference, closed_at=closed, feedback=False)])
    audit = await start_review(env, queue, names.EXAMPLE_LEARNING, period, "learning-policy-v1")
    assert (await generated_skipping(env, audit)).counts["emerging"] == 1
    assert await mark_and_open_cases(audit, learning_flow.actor("E-AUDITOR")) == 1
    return env.client.get_workflow_handle(learning_case_id(reference))


async def seed_closure(sessions, case_ref: str, closed_at: datetime) -> None:
    """One doubtful closure: final-action evidence, but no word from the worker."""
    await load(sessions, "staff-directory", staff_rows(credibility_flow.PEOPLE))
    await load(sessions, "closed-case-register", [credibility_flow.closed(case_ref, closed_at)])
    evidence = {
        "case_ref": case_ref,
        "evidence_type": "photo",
        "recorded_at": closed_at.isoformat(),
    }
    await load(sessions, "final-action-evidence-library", [evidence])
