"""Example 2's review date as the named owner's obligation, on the time-skipping server: it opens
with the pathway, due at close of business on the date, mailed to the owner, escalated when missed,
and the validation may close only once the owner's review ends the pathway."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain import names
from domain.cases import PathwayAcceptance
from domain.learning_steps import LEARNING_STABILIZATION_LOG
from domain.periodic import PackInput, PublishPack
from tests.escalation_support import (
    breached,
    obligation,
    received,
    reopened,
    review_entries,
    skip_past_validation_opening,
    told_it_is_theirs,
)
from tests.factories import load
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
    complete_actions,
    local_today,
    rejection,
    running_worker,
    skip_until,
    wait_for,
    wait_stage,
    working_day_after,
)

pytestmark = pytest.mark.dated  # run again as of a risky start date (make test-dated)

RPC = timedelta(seconds=30)
CLOSE = CALENDAR.working_day_end
LEARNING_REVIEW = "stabilization-review"
LEARNING_TITLE = "Review of the learning-stabilization pathway"


async def test_example2_review_is_due_escalates_and_the_validation_closes_only_after_it(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await audit_and_open_case(own_env, sessions, queue, "NM-REV-2")
        review, today = await _review_owed_by_the_named_owner(own_env, inbox, case)
        await _accepted_and_published_in_the_fortnightly_pack(own_env, queue, case)

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
        await wait_for(lambda: reopened(case, LEARNING_REVIEW))

        await skip_past_validation_opening(own_env, case)
        close = await _validation_refused_until_the_pathway_is_reviewed(own_env, sessions, case)
        await learning_submit(case, "stabilization-validation", "E-GOVREV", close)
        final = await asyncio.wait_for(case.result(), 60)
        assert final["closure"]["category"] == "closed_with_minuted_escalation"
    outcomes = await review_entries(sessions, LEARNING_STABILIZATION_LOG, "stabilization_review")
    assert outcomes == [("E-OWNER", "not_stabilized"), ("E-OWNER", "stabilized")]


async def _review_owed_by_the_named_owner(env, inbox, case):
    """Steps 2 and 3 with a review date two working days ahead: due at close of business on it,
    owed by the named owner, mailed to them; the obligation and today's date."""
    state = await wait_stage(case, "learning-attribution")
    await open_docs(case, "E-REGIONAL", ATTRIBUTION_DOCS)
    await learning_submit(case, "learning-attribution", "E-REGIONAL", attribution_fields(state))
    await wait_stage(case, "stabilization-pathway")
    today = await local_today(env)
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
    review = await wait_for(lambda: obligation(case, LEARNING_REVIEW))
    assert (review.assignee, review.role) == ("E-OWNER", None)
    assert review.deadline == LONDON.wall(review_day, CLOSE)
    await told_it_is_theirs(inbox, "E-OWNER", LEARNING_TITLE, case.id, LEARNING_REVIEW)
    return review, today


async def _accepted_and_published_in_the_fortnightly_pack(env, queue, case) -> None:
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=actor("E-OWNER")), rpc_timeout=RPC
    )
    await wait_stage(case, "awaiting-visibility")
    cycle = (await case_state(case)).review_id[15:]  # its audit's cycle lists it
    pack = await env.client.start_workflow(
        names.WF_PACK,
        PackInput(kind=names.PACK_FORTNIGHTLY, period=cycle),
        id=f"pack-test-{case.id}",
        task_queue=queue,
    )
    await pack.execute_update(
        names.UPDATE_PUBLISH, PublishPack(actor=learning_actor("E-EXEC")), rpc_timeout=RPC
    )
    await wait_stage(case, "awaiting-validation")


async def _validation_refused_until_the_pathway_is_reviewed(env, sessions, case):
    """At the validation a close is refused while the owner's review is open, and "stabilized"
    while an action is open; the owner does them and records it; the close's fields."""
    await wait_stage(case, "stabilization-validation")
    now = await env.get_current_time()
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
    actions = [
        "learning-control-implementation",
        "worker-feedback",
        "direct-feedback-all-reporters",
    ]
    await complete_actions(case, actions)
    await learning_submit(case, LEARNING_REVIEW, "E-OWNER", stabilized)
    return close
