"""Example 1's pathway deadlines on the time-skipping server.

The recovery-pathway step's close of business, and the pathway's own action deadlines (corrected
triage-control implementation, worker communication, immediate senior acknowledgment). Each is
checked a minute before (nothing recorded), then past (a breach at the deadline, mail to the right
people, later levels every 4 working hours), then done late: escalation never completes anything.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from domain import names
from domain.cases import ActionDone, CaseState, PathwayAcceptance
from store.tables import Case
from tests.acknowledgment_support import (
    RECOVERY,
    case_at_recovery_pathway,
    pathway_fields,
    submit_pathway,
)
from tests.escalation_support import (
    breached,
    breaches,
    escalation_instants,
    escalation_levels,
    nothing_a_minute_before,
    received,
)
from tests.factories import email
from tests.workflow_support import (
    CALENDAR,
    LONDON,
    actor,
    case_state,
    local_today,
    running_worker,
    skip_until,
    wait_for,
    wait_stage,
)

pytestmark = pytest.mark.dated  # run again as of a risky start date (make test-dated)

CLOSE = CALENDAR.working_day_end
RECOVERY_TITLE = "Acknowledgment-recovery pathway"
IMPLEMENTATION = "triage-control-implementation"
COMMUNICATION = "worker-communication"
SENIOR = "senior-acknowledgment"
TITLES = {
    IMPLEMENTATION: "Corrected triage-control implementation",
    COMMUNICATION: "Worker communication",
    SENIOR: "Immediate senior acknowledgment to the worker",
}


async def test_missed_recovery_pathway_escalates_until_submitted_late_then_senior_ack_is_missed(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-RPW-1")
        await _missed_recovery_pathway(own_env, sessions, inbox, case)
        today = await local_today(own_env)
        await submit_pathway(
            case,
            pathway_fields(today, immediate_senior_acknowledgment=True),
            expect_late=True,
        )
        state = await wait_stage(case, "pathway-acceptance")
        await accept(case)  # accepted in time; the senior acknowledgment itself is missed
        await _missed_senior_acknowledgment(own_env, sessions, inbox, case, state)


async def _missed_recovery_pathway(env, sessions, inbox, case) -> None:
    """Close of business of the day retention impact was accepted; the director, then the board."""
    state = await case_state(case)
    step = state.obligations[RECOVERY]
    impact_done = LONDON.local(state.obligations["retention-impact"].done_at)
    assert step.deadline == LONDON.close_of_business(impact_done)
    assert LONDON.local(step.deadline) == LONDON.wall(impact_done.date(), CLOSE)  # that same day
    await nothing_a_minute_before(env, sessions, case, RECOVERY)
    levels = escalation_instants(step.deadline, 3)
    await skip_until(env, levels[-1] + timedelta(minutes=1))
    rows = await breached(sessions, case, RECOVERY, 3)
    assert [(b.level, b.escalated_at, b.deadline) for b in rows] == [
        (n, at, step.deadline) for n, at in enumerate(levels, start=1)
    ]
    # Level 1 the step's role (the director); level 2 adds the example's director (the same
    # person, mailed once); level 3 the board.
    await received(inbox, "E-DIRECTOR", RECOVERY_TITLE, [1, 2, 3])
    await received(inbox, "E-BOARD", RECOVERY_TITLE, [3])
    assert not inbox.to(email("E-OWNER"))
    state = await case_state(case)
    assert (state.stage, state.status) == (RECOVERY, "open")
    assert state.obligations[RECOVERY].done_at is None


async def _missed_senior_acknowledgment(env, sessions, inbox, case, state: CaseState) -> None:
    """Close of business of the authorization day (here after 17:00: the next working day's)."""
    authorized = state.obligations[RECOVERY].done_at
    senior = state.obligations[f"action:{SENIOR}"]
    assert (senior.assignee, senior.role) == ("E-OWNER", None)
    assert senior.deadline == LONDON.close_of_business(authorized)
    after_close = LONDON.local(authorized)
    assert after_close.time() > CLOSE
    assert LONDON.local(senior.deadline) == LONDON.wall(
        LONDON.next_working_day(after_close.date()), CLOSE
    )
    key = f"action:{SENIOR}"
    await nothing_a_minute_before(env, sessions, case, key)
    levels = escalation_instants(senior.deadline, 2)
    await skip_until(env, levels[-1] + timedelta(minutes=1))
    rows = await breached(sessions, case, key, 2)
    assert [(b.level, b.escalated_at) for b in rows] == [(1, levels[0]), (2, levels[1])]
    await received(inbox, "E-OWNER", TITLES[SENIOR], [1, 2])  # the named owner
    await received(inbox, "E-DIRECTOR", TITLES[SENIOR], [2])  # + the director from level 2
    await complete_late_and_still_open(case, [SENIOR], "awaiting-visibility")


async def test_missed_implementation_and_worker_communication_escalate_to_the_owner(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-ACT-1")
        today = await local_today(own_env)
        first = LONDON.next_working_day(today)
        second = LONDON.next_working_day(first)
        communicate_by = LONDON.wall(first, time(12, 30))
        fields = pathway_fields(
            today,
            triage_control_implementation_deadline=second.isoformat(),  # a bare date
            worker_communication_deadline=communicate_by.isoformat(),  # an instant
        )
        await submit_pathway(case, fields, expect_late=False)
        state = await wait_stage(case, "pathway-acceptance")
        implementation = state.obligations[f"action:{IMPLEMENTATION}"]
        communication = state.obligations[f"action:{COMMUNICATION}"]
        assert implementation.deadline == LONDON.wall(second, CLOSE)  # that day's close
        assert implementation.deadline_rule == "close of business"
        assert (communication.deadline, communication.deadline_rule) == (communicate_by, "explicit")
        assert {implementation.assignee, communication.assignee} == {"E-OWNER"}
        await accept(case)

        await _missed_action(own_env, sessions, inbox, case, COMMUNICATION, communication.deadline)
        await _missed_action(
            own_env, sessions, inbox, case, IMPLEMENTATION, implementation.deadline
        )
        # Meanwhile the communication went on escalating every 4 working hours (director, board).
        due = [
            t
            for t in escalation_instants(communication.deadline, 9)
            if t <= await own_env.get_current_time()
        ]
        rows = await breached(sessions, case, f"action:{COMMUNICATION}", len(due))
        assert [b.escalated_at for b in rows] == due and len(due) >= 3
        levels = list(range(1, len(due) + 1))
        await received(inbox, "E-OWNER", TITLES[COMMUNICATION], levels)
        await received(inbox, "E-DIRECTOR", TITLES[COMMUNICATION], levels[1:])
        await received(inbox, "E-BOARD", TITLES[COMMUNICATION], levels[2:])
        await complete_late_and_still_open(
            case, [COMMUNICATION, IMPLEMENTATION], "awaiting-visibility"
        )


async def _missed_action(env, sessions, inbox, case, action: str, deadline: datetime) -> None:
    """Nothing a minute before; at the deadline a level-1 breach mailed to the named owner."""
    key = f"action:{action}"
    await nothing_a_minute_before(env, sessions, case, key)
    await skip_until(env, deadline + timedelta(minutes=1))
    [row] = await breached(sessions, case, key, 1)
    assert (row.level, row.escalated_at, row.deadline) == (1, deadline, deadline)
    await received(inbox, "E-OWNER", TITLES[action], [1])
    assert not escalation_levels(inbox, "E-DIRECTOR", TITLES[action])  # level 1: owner only
    state = await case_state(case)
    assert state.obligations[key].done_at is None and state.status == "open"


async def test_completing_a_breached_action_resolves_its_breach(
    own_env, sqlite_url, sessions_for, smtp_server
):
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-RES-1")
        fields = pathway_fields(await local_today(own_env), immediate_senior_acknowledgment=True)
        await submit_pathway(case, fields, expect_late=False)
        state = await wait_stage(case, "pathway-acceptance")
        await accept(case)
        key = f"action:{SENIOR}"
        await skip_until(own_env, state.obligations[key].deadline + timedelta(minutes=1))
        await breached(sessions, case, key, 1)
        await complete_late_and_still_open(case, [SENIOR], "awaiting-visibility")

        async def resolved() -> bool:
            rows = await breaches(sessions, case, key)
            async with sessions() as session:
                row = await session.get(Case, case.id)
            return all(b.resolved_at is not None for b in rows) and row.escalation_level == 0

        await wait_for(resolved, within=3)


async def accept(case) -> None:
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY,
        PathwayAcceptance(actor=actor("E-OWNER")),
        rpc_timeout=timedelta(seconds=30),
    )
    await wait_stage(case, "awaiting-visibility")


async def complete_late_and_still_open(case, actions: list[str], stage: str) -> None:
    """Escalation completed nothing; the owner's late completion is accepted and marked late."""
    state = await case_state(case)
    assert state.stage == stage
    assert all(state.obligations[f"action:{a}"].done_at is None for a in actions)
    for action in actions:
        state = await case.execute_update(
            names.UPDATE_COMPLETE_ACTION,
            ActionDone(action=action, actor=actor("E-OWNER")),
            rpc_timeout=timedelta(seconds=30),
            result_type=CaseState,
        )
        done = state.obligations[f"action:{action}"]
        assert (done.done_by, done.late) == ("E-OWNER", True)
        assert done.done_at > done.deadline and done.level >= 1
    assert (state.stage, state.status) == (stage, "open")  # the review date is still ahead
