"""Example 1's mandatory review date as the named owner's obligation, on the time-skipping server.

It opens with the pathway, due at close of business on the date (provider calendar), mailed to
the named owner ("this is now yours"), escalated when missed (owner, then + the director), never
decided by a timer: the case closes on the review's recorded outcome ("not recovered" opens the
next review). Example 2's review date: test_learning_review_date.py.
"""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from domain import names
from domain.acknowledgment_steps import ACKNOWLEDGMENT_RECOVERY_LOG
from domain.cases import PathwayAcceptance
from domain.periodic import PackInput, PublishPack
from store.tables import Breach
from tests.acknowledgment_support import case_at_recovery_pathway, pathway_fields, submit_pathway
from tests.escalation_support import (
    breached,
    escalation_instants,
    nothing_a_minute_before,
    obligation,
    received,
    reopened,
    review_entries,
    told_it_is_theirs,
)
from tests.workflow_support import (
    CALENDAR,
    LONDON,
    actor,
    case_state,
    complete_actions,
    local_today,
    rejection,
    running_worker,
    skip_until,
    submit,
    wait_for,
    wait_stage,
    working_day_after,
)

pytestmark = pytest.mark.dated  # run again as of a risky start date (make test-dated)

RPC = timedelta(seconds=30)
CLOSE = CALENDAR.working_day_end
ACK_REVIEW = "recovery-review"
ACK_TITLE = "Mandatory review of the acknowledgment-recovery pathway"
RECOVERED = {"outcome": "recovered", "findings": "Triage ownership holds"}


async def test_example1_review_is_due_escalates_and_closes_only_on_its_outcome(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-REV-1")
        review, review_day = await _ack_review_owed_by_the_named_owner(own_env, inbox, case)
        await _refused_until_active_and_due(own_env, case, review_day)
        await _missed_ack_review_escalates_to_the_director(own_env, sessions, inbox, case, review)
        await _not_recovered_opens_the_next_review(own_env, case)

        # Recovered: the case closes on the recorded outcome.
        receipt = await submit(case, ACK_REVIEW, "E-OWNER", RECOVERED)
        assert receipt["late"] is False
        final = await asyncio.wait_for(case.result(), 60)
        assert (final["status"], final["closure"]["category"]) == ("closed", "recovered")
    outcomes = await review_entries(sessions, ACKNOWLEDGMENT_RECOVERY_LOG, "recovery_review")
    assert outcomes == [("E-OWNER", "not_recovered"), ("E-OWNER", "recovered")]
    async with sessions() as session:
        open_breaches = (
            await session.scalars(
                select(Breach).where(Breach.case_id == case.id, Breach.resolved_at.is_(None))
            )
        ).all()
    assert open_breaches == []


async def _ack_review_owed_by_the_named_owner(env, inbox, case):
    """The pathway names a review date: due at close of business on it, owed by the named owner,
    mailed to them; the obligation and the date."""
    today = await local_today(env)
    review_day = working_day_after(today, 2)
    fields = pathway_fields(
        today,
        triage_control_implementation_deadline=review_day.isoformat(),
        worker_communication_deadline=review_day.isoformat(),
        mandatory_review_date=review_day.isoformat(),
    )
    await submit_pathway(case, fields, expect_late=False)
    await wait_stage(case, "pathway-acceptance")
    review = await wait_for(lambda: obligation(case, ACK_REVIEW))
    assert (review.assignee, review.role, review.deadline_rule) == (
        "E-OWNER",
        None,
        "close of business",
    )
    assert review.deadline == LONDON.wall(review_day, CLOSE)
    await told_it_is_theirs(inbox, "E-OWNER", ACK_TITLE, case.id, ACK_REVIEW)
    return review, review_day


async def _refused_until_active_and_due(env, case, review_day) -> None:
    """Before activation, and then before its date, the review is refused; only the owner may."""
    inactive = await rejection(submit(case, ACK_REVIEW, "E-OWNER", RECOVERED))
    assert inactive.type == "WrongStage" and "not active yet" in inactive.message
    other = await rejection(submit(case, ACK_REVIEW, "E-DIRECTOR", RECOVERED))
    assert other.type == "WrongRole"
    await _accept_and_publish_weekly(env, case)
    await wait_stage(case, "active-recovery")
    before = await rejection(submit(case, ACK_REVIEW, "E-OWNER", RECOVERED))
    assert before.type == "WrongStage" and f"due on {review_day}" in before.message


async def _missed_ack_review_escalates_to_the_director(env, sessions, inbox, case, review) -> None:
    """Missed: level 1 to the owner at the deadline, level 2 adds the director; still open, and
    refused while the pathway's actions are open (then done)."""
    await nothing_a_minute_before(env, sessions, case, ACK_REVIEW)
    levels = escalation_instants(review.deadline, 2)
    await skip_until(env, levels[-1] + timedelta(minutes=1))
    rows = await breached(sessions, case, ACK_REVIEW, 2)
    assert [(b.level, b.escalated_at) for b in rows] == [(1, levels[0]), (2, levels[1])]
    await received(inbox, "E-OWNER", ACK_TITLE, [1, 2])
    await received(inbox, "E-DIRECTOR", ACK_TITLE, [2])
    state = await case_state(case)
    assert (state.stage, state.status) == ("active-recovery", "open")
    open_actions = await rejection(submit(case, ACK_REVIEW, "E-OWNER", RECOVERED))
    assert open_actions.type == "MissingPrerequisite"
    assert "actions.worker-communication" in str(open_actions.details)
    await complete_actions(case, ["triage-control-implementation", "worker-communication"])


async def _not_recovered_opens_the_next_review(env, case) -> None:
    """Not recovered: a next review date is required and opens the next review, not due yet."""
    unnamed = {"outcome": "not_recovered", "findings": "Still late acknowledgments"}
    refused = await rejection(submit(case, ACK_REVIEW, "E-OWNER", unnamed))
    assert refused.type == "InvalidFields" and "next_review_date" in str(refused.details)
    next_day = working_day_after(await local_today(env), 3)
    receipt = await submit(
        case, ACK_REVIEW, "E-OWNER", {**unnamed, "next_review_date": next_day.isoformat()}
    )
    assert receipt["late"] is True
    state = await wait_for(lambda: reopened(case, ACK_REVIEW))
    assert state.obligations[f"{ACK_REVIEW}#1"].late is True
    assert state.obligations[ACK_REVIEW].deadline == LONDON.wall(next_day, CLOSE)
    assert state.status == "open"
    early = await rejection(submit(case, ACK_REVIEW, "E-OWNER", RECOVERED))
    assert early.type == "WrongStage"  # the next review is not due yet
    await skip_until(env, LONDON.wall(next_day, time(10)))


async def _accept_and_publish_weekly(env, case) -> None:
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=actor("E-OWNER")), rpc_timeout=RPC
    )
    await wait_stage(case, "awaiting-visibility")
    year, week, _ = LONDON.local(await env.get_current_time()).date().isocalendar()
    pack = await env.client.start_workflow(
        names.WF_PACK,
        PackInput(kind=names.PACK_WEEKLY, period=f"{year}-W{week:02d}"),
        id=f"pack-test-{case.id}",
        task_queue=(await case.describe()).task_queue,
    )
    await pack.execute_update(
        names.UPDATE_PUBLISH, PublishPack(actor=actor("E-DIRECTOR")), rpc_timeout=RPC
    )
