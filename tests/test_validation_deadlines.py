"""The validation steps' "2 working days" deadlines (examples 2 and 3), time-skipping.

Each test drives a real case with a real worker to its validation step (opened by the
workflow's 14- or 21-calendar-day timer after activation), checks the obligation is due when the
calendar says, and that the timer honours it: no breach a minute before, a level-1 breach at
the deadline mailed to the step's role holder, and the step still open (nothing is completed or
skipped automatically).
"""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest

from domain import names
from domain.calendar import compute_deadline
from domain.cases import ActionDone, PathwayAcceptance
from domain.credibility import credibility_case_id
from domain.credibility_steps import CREDIBILITY_ADJUDICATION, REPAIR_PATHWAY, REPAIR_VALIDATION
from domain.learning_steps import STABILIZATION_VALIDATION
from tests import credibility_support as credibility_flow
from tests import learning_support as learning_flow
from tests.deadline_support import (
    RPC,
    generated,
    mark_and_open_cases,
    month_key,
    open_learning_case_on,
    seed_closure,
    start_review,
)
from tests.escalation_support import assert_breached_exactly_at, skip_past_validation_opening
from tests.workflow_support import (
    CALENDAR,
    LONDON,
    case_state,
    running_worker,
    wait_stage,
)

pytestmark = pytest.mark.dated  # run again as of a risky start date (make test-dated)


async def assert_still_open(case, step: str) -> None:
    state = await case_state(case)
    assert state.stage == step
    assert state.obligations[step].done_at is None and state.obligations[step].level == 1


async def test_stabilization_validation_breaches_at_two_working_days_after_it_opens(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    slug = STABILIZATION_VALIDATION.slug
    assert STABILIZATION_VALIDATION.deadline_rule == "2 working days"
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        # Before 08:00 UTC on a cycle's first day its audit has not run: take the day before.
        now = await own_env.get_current_time()
        today = LONDON.local(now - timedelta(hours=8)).date()
        case = await open_learning_case_on(own_env, sessions, queue, today, "NM-VAL-2")
        await learning_flow.to_active_stabilization(own_env, case, sessions)
        await skip_past_validation_opening(own_env, case)  # not N x 24 h across a clock change
        state = await wait_stage(case, slug)
        opened_at = state.obligations[slug].opened_at
        due = compute_deadline(CALENDAR, "2 working days", opened_at).due_at
        assert state.obligations[slug].deadline == due
        assert LONDON.local(due).time() == time(17) and due > opened_at
        await assert_breached_exactly_at(
            own_env, sessions, inbox, case.id, slug, due, "E-GOVREV", case
        )
        await assert_still_open(case, slug)


async def test_repair_validation_breaches_at_two_working_days_after_it_opens(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    slug = REPAIR_VALIDATION.slug
    assert REPAIR_VALIDATION.deadline_rule == "2 working days"
    now = await own_env.get_current_time()
    previous = LONDON.local(now).date().replace(day=1) - timedelta(days=10)
    await seed_closure(sessions, "CC-VAL", LONDON.wall(previous, time(12)).astimezone(UTC))
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        # Last month's review, marked late today: its doubtful case opens at once.
        review = await start_review(
            own_env, queue, names.EXAMPLE_CREDIBILITY, month_key(previous), "closure-policy-v1"
        )
        assert (await generated(review)).counts["doubtful"] == 1
        assert await mark_and_open_cases(review, credibility_flow.who("E-WXANALYST")) == 1
        case = own_env.client.get_workflow_handle(credibility_case_id("CC-VAL"))

        state = await wait_stage(case, CREDIBILITY_ADJUDICATION.slug)
        await credibility_flow.open_docs(case, "E-QALEAD", credibility_flow.ADJ_DOCS)
        await credibility_flow.submit(
            case,
            CREDIBILITY_ADJUDICATION.slug,
            "E-QALEAD",
            credibility_flow.adjudication(state, "doubtful"),
        )
        await wait_stage(case, REPAIR_PATHWAY.slug)
        today = (await own_env.get_current_time()).date()
        await credibility_flow.open_docs(case, "E-WXDIRECTOR", credibility_flow.REPAIR_DOCS)
        await credibility_flow.submit(
            case, REPAIR_PATHWAY.slug, "E-WXDIRECTOR", credibility_flow.pathway(today)
        )
        await wait_stage(case, "pathway-acceptance")
        await case.execute_update(
            names.UPDATE_ACCEPT_PATHWAY,
            PathwayAcceptance(actor=credibility_flow.who("E-OWNER")),
            rpc_timeout=RPC,
        )
        await wait_stage(case, "awaiting-validation")  # doubtful: active at acceptance
        for action in ("final-correction", "worker-reconnection", "follow-up-review"):
            await case.execute_update(
                names.UPDATE_COMPLETE_ACTION,
                ActionDone(action=action, actor=credibility_flow.who("E-OWNER")),
                rpc_timeout=RPC,
            )

        await skip_past_validation_opening(own_env, case)  # not N x 24 h across a clock change
        state = await wait_stage(case, slug)
        opened_at = state.obligations[slug].opened_at
        due = compute_deadline(CALENDAR, "2 working days", opened_at).due_at
        assert state.obligations[slug].deadline == due
        assert LONDON.local(due).time() == time(17) and due > opened_at
        await assert_breached_exactly_at(
            own_env, sessions, inbox, case.id, slug, due, "E-BOARD", case
        )
        await assert_still_open(case, slug)
