"""Pathway review dates as the named owner's obligations, on the time-skipping server.

Example 1's mandatory review date and example 2's review date open with the pathway, due at close
of business on the date (provider calendar), mailed to the named owner ("this is now yours"),
escalated when missed (owner, then + the example's director), never decided by a timer: example
1 closes on the review's recorded outcome ("not recovered" opens the next review), and example
2's validation may close only once the owner's review ends the pathway.
"""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

from sqlalchemy import select

from domain import names
from domain.acknowledgment_steps import ACKNOWLEDGMENT_RECOVERY_LOG
from domain.cases import ActionDone, PathwayAcceptance
from domain.learning_steps import LEARNING_STABILIZATION_LOG
from domain.periodic import PackInput, PublishPack
from store.tables import Breach, RegisterEntry
from tests.acknowledgment_support import case_at_recovery_pathway, pathway_fields, submit_pathway
from tests.escalation_support import (
    breached,
    escalation_instants,
    nothing_a_minute_before,
    received,
)
from tests.factories import email, load
from tests.learning_factories import ATTRIBUTION_DOCS, PATHWAY_DOCS, confidence
from tests.learning_support import actor as learning_actor
from tests.learning_support import (
    attribution_fields,
    audit_and_open_case,
    open_docs,
    validation_fields,
)
from tests.learning_support import pathway_fields as learning_pathway_fields
from tests.learning_support import submit as learning_submit
from tests.workflow_support import (
    CALENDAR,
    LONDON,
    actor,
    case_state,
    local_today,
    rejection,
    running_worker,
    skip,
    skip_until,
    submit,
    wait_for,
    wait_stage,
)

RPC = timedelta(seconds=30)
CLOSE = CALENDAR.working_day_end
ACK_REVIEW = "recovery-review"
ACK_TITLE = "Mandatory review of the acknowledgment-recovery pathway"
LEARNING_REVIEW = "stabilization-review"
LEARNING_TITLE = "Review of the learning-stabilization pathway"


def working_day_after(day, n: int = 1):
    for _ in range(n):
        day = LONDON.next_working_day(day)
    return day


async def told_it_is_theirs(inbox, who: str, title: str, case_id: str, step: str) -> str:
    """The "this is now yours" mail to WHO, linking to the review's page; its body."""
    subject = f"This is now yours: {title} ({case_id})"

    async def found():
        for mail in inbox.to(email(who)):
            if " ".join(mail["Subject"].split()) == subject:
                return mail.get_payload(decode=True).decode()
        return None

    body = await wait_for(found)
    assert f"/app/cases/{case_id}/steps/{step}" in body
    return body


async def test_example1_review_is_due_escalates_and_closes_only_on_its_outcome(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-REV-1")
        today = await local_today(own_env)
        review_day = working_day_after(today, 2)
        fields = pathway_fields(
            today,
            triage_control_implementation_deadline=review_day.isoformat(),
            worker_communication_deadline=review_day.isoformat(),
            mandatory_review_date=review_day.isoformat(),
        )
        await submit_pathway(case, fields, expect_late=False)
        state = await wait_stage(case, "pathway-acceptance")

        # Due: close of business on the review date, owed by the named owner, mailed to them.
        review = await wait_for(lambda: _obligation(case, ACK_REVIEW))
        assert (review.assignee, review.role, review.deadline_rule) == (
            "E-OWNER",
            None,
            "close of business",
        )
        assert review.deadline == LONDON.wall(review_day, CLOSE)
        await told_it_is_theirs(inbox, "E-OWNER", ACK_TITLE, case.id, ACK_REVIEW)

        recovered = {"outcome": "recovered", "findings": "Triage ownership holds"}
        inactive = await rejection(submit(case, ACK_REVIEW, "E-OWNER", recovered))
        assert inactive.type == "WrongStage" and "not active yet" in inactive.message
        other = await rejection(submit(case, ACK_REVIEW, "E-DIRECTOR", recovered))
        assert other.type == "WrongRole"

        await _accept_and_publish_weekly(own_env, case)
        await wait_stage(case, "active-recovery")
        before = await rejection(submit(case, ACK_REVIEW, "E-OWNER", recovered))
        assert before.type == "WrongStage" and f"due on {review_day}" in before.message

        # Missed: level 1 to the owner at the deadline, level 2 adds the director; still open.
        await nothing_a_minute_before(own_env, sessions, case, ACK_REVIEW)
        levels = escalation_instants(review.deadline, 2)
        await skip_until(own_env, levels[-1] + timedelta(minutes=1))
        rows = await breached(sessions, case, ACK_REVIEW, 2)
        assert [(b.level, b.escalated_at) for b in rows] == [(1, levels[0]), (2, levels[1])]
        await received(inbox, "E-OWNER", ACK_TITLE, [1, 2])
        await received(inbox, "E-DIRECTOR", ACK_TITLE, [2])
        state = await case_state(case)
        assert (state.stage, state.status) == ("active-recovery", "open")

        open_actions = await rejection(submit(case, ACK_REVIEW, "E-OWNER", recovered))
        assert open_actions.type == "MissingPrerequisite"
        assert "actions.worker-communication" in str(open_actions.details)
        for action in ("triage-control-implementation", "worker-communication"):
            await case.execute_update(
                names.UPDATE_COMPLETE_ACTION,
                ActionDone(action=action, actor=actor("E-OWNER")),
                rpc_timeout=RPC,
            )

        # Not recovered: a next review date is required and opens the next review.
        unnamed = {"outcome": "not_recovered", "findings": "Still late acknowledgments"}
        refused = await rejection(submit(case, ACK_REVIEW, "E-OWNER", unnamed))
        assert refused.type == "InvalidFields" and "next_review_date" in str(refused.details)
        next_day = working_day_after(await local_today(own_env), 3)
        receipt = await submit(
            case, ACK_REVIEW, "E-OWNER", {**unnamed, "next_review_date": next_day.isoformat()}
        )
        assert receipt["late"] is True
        state = await wait_for(lambda: _reopened(case))
        assert state.obligations[f"{ACK_REVIEW}#1"].late is True
        assert state.obligations[ACK_REVIEW].deadline == LONDON.wall(next_day, CLOSE)
        assert state.status == "open"
        early = await rejection(submit(case, ACK_REVIEW, "E-OWNER", recovered))
        assert early.type == "WrongStage"  # the next review is not due yet
        await skip_until(own_env, LONDON.wall(next_day, time(10)))

        # Recovered: the case closes on the recorded outcome.
        receipt = await submit(case, ACK_REVIEW, "E-OWNER", recovered)
        assert receipt["late"] is False
        final = await asyncio.wait_for(case.result(), 60)
        assert (final["status"], final["closure"]["category"]) == ("closed", "recovered")
    outcomes = await _review_entries(sessions, ACKNOWLEDGMENT_RECOVERY_LOG, "recovery_review")
    assert outcomes == [("E-OWNER", "not_recovered"), ("E-OWNER", "recovered")]
    async with sessions() as session:
        open_breaches = (
            await session.scalars(
                select(Breach).where(Breach.case_id == case.id, Breach.resolved_at.is_(None))
            )
        ).all()
    assert open_breaches == []


async def test_example2_review_is_due_escalates_and_the_validation_closes_only_after_it(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await audit_and_open_case(own_env, sessions, queue, "NM-REV-2")
        state = await wait_stage(case, "learning-attribution")
        await open_docs(case, "E-REGIONAL", ATTRIBUTION_DOCS)
        await learning_submit(case, "learning-attribution", "E-REGIONAL", attribution_fields(state))
        await wait_stage(case, "stabilization-pathway")
        today = await local_today(own_env)
        review_day = working_day_after(today, 2)
        await open_docs(case, "E-EXEC", PATHWAY_DOCS)
        fields = learning_pathway_fields(
            today,
            learning_control_implementation_deadline=review_day.isoformat(),
            worker_feedback_deadline=review_day.isoformat(),
            review_date=review_day.isoformat(),
        )
        await learning_submit(case, "stabilization-pathway", "E-EXEC", fields)
        await wait_stage(case, "pathway-acceptance")
        review = await wait_for(lambda: _obligation(case, LEARNING_REVIEW))
        assert (review.assignee, review.role) == ("E-OWNER", None)
        assert review.deadline == LONDON.wall(review_day, CLOSE)
        await told_it_is_theirs(inbox, "E-OWNER", LEARNING_TITLE, case.id, LEARNING_REVIEW)

        await case.execute_update(
            names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=actor("E-OWNER")), rpc_timeout=RPC
        )
        await wait_stage(case, "awaiting-visibility")
        cycle = (await case_state(case)).review_id[15:]  # its audit's cycle lists it
        pack = await own_env.client.start_workflow(
            names.WF_PACK,
            PackInput(kind=names.PACK_FORTNIGHTLY, period=cycle),
            id=f"pack-test-{case.id}",
            task_queue=queue,
        )
        await pack.execute_update(
            names.UPDATE_PUBLISH, PublishPack(actor=learning_actor("E-EXEC")), rpc_timeout=RPC
        )
        await wait_stage(case, "awaiting-validation")

        # Missed: a level-1 breach mailed to the owner at close of business on the date.
        await skip_until(own_env, review.deadline + timedelta(minutes=1))
        [row] = await breached(sessions, case, LEARNING_REVIEW, 1)
        assert (row.level, row.escalated_at) == (1, review.deadline)
        await received(inbox, "E-OWNER", LEARNING_TITLE, [1])
        # Not stabilized yet: the next review is due when the first validation opens.
        next_day = today + timedelta(days=14)  # reached when the first validation opens
        not_yet = {
            "outcome": "not_stabilized",
            "findings": "Bulletin not read yet",
            "next_review_date": next_day.isoformat(),
        }
        assert (await learning_submit(case, LEARNING_REVIEW, "E-OWNER", not_yet))["late"]
        await wait_for(lambda: _reopened(case, LEARNING_REVIEW))

        await skip(own_env, timedelta(days=14, hours=1), step=timedelta(days=1))
        state = await wait_stage(case, "stabilization-validation")
        now = await own_env.get_current_time()
        await load(sessions, "speaking-up-confidence-form", [confidence("R-1", now, 2)])
        await open_docs(case, "E-GOVREV", ["validation-measures"])
        state = await case_state(case)
        close = validation_fields(state, "close", escalation_minute_ref="WGC-2026-12/1")
        unreviewed = await rejection(
            learning_submit(case, "stabilization-validation", "E-GOVREV", close)
        )
        assert unreviewed.type == "InvalidFields" and LEARNING_REVIEW in str(unreviewed.details)
        assert (await case_state(case)).status == "open"

        stabilized = {"outcome": "stabilized", "findings": "Feedback reached every reporter"}
        refused = await rejection(learning_submit(case, LEARNING_REVIEW, "E-OWNER", stabilized))
        assert refused.type == "MissingPrerequisite"  # stabilized needs every action done
        for action in (
            "learning-control-implementation",
            "worker-feedback",
            "direct-feedback-all-reporters",
        ):
            await case.execute_update(
                names.UPDATE_COMPLETE_ACTION,
                ActionDone(action=action, actor=actor("E-OWNER")),
                rpc_timeout=RPC,
            )
        await learning_submit(case, LEARNING_REVIEW, "E-OWNER", stabilized)
        await learning_submit(case, "stabilization-validation", "E-GOVREV", close)
        final = await asyncio.wait_for(case.result(), 60)
        assert final["closure"]["category"] == "closed_with_minuted_escalation"
    outcomes = await _review_entries(sessions, LEARNING_STABILIZATION_LOG, "stabilization_review")
    assert outcomes == [("E-OWNER", "not_stabilized"), ("E-OWNER", "stabilized")]


async def _obligation(case, key: str):
    return (await case_state(case)).obligations.get(key)


async def _reopened(case, key: str = ACK_REVIEW):
    """The next review is open (the recorded one archived as KEY#1)."""
    state = await case_state(case)
    ob = state.obligations.get(key)
    return f"{key}#1" in state.obligations and ob is not None and ob.done_at is None and state


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


async def _review_entries(sessions, register: str, kind: str) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = (
            await session.scalars(
                select(RegisterEntry)
                .where(RegisterEntry.register == register, RegisterEntry.kind == kind)
                .order_by(RegisterEntry.seq)
            )
        ).all()
    return [(e.actor, e.payload["outcome"]) for e in rows]
