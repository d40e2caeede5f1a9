"""Example 2 end to end on the time-skipping server: audit → case → steps → validation loop."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from domain.calendar import compute_deadline
from domain.learning_steps import (
    LEARNING_STABILIZATION_LOG,
    LEARNING_VISIBILITY_REGISTER,
    LEARNING_VISIBILITY_WORKSPACE,
    WORKFORCE_GOVERNANCE_RECORD,
)
from store.db import transaction
from store.policies import save_policy
from store.tables import Breach, RegisterEntry
from tests.escalation_support import escalate_to, skip_past_validation_opening
from tests.factories import email, load
from tests.histories import record_history
from tests.learning_factories import (
    closed_report,
    confidence,
    load_closed,
)
from tests.learning_support import (
    audit_and_open_case,
    open_docs,
    record_review,
    submit,
    to_active_stabilization,
    validation_fields,
)
from tests.workflow_support import (
    CALENDAR,
    case_state,
    holds,
    rejection,
    running_worker,
    skip,
    wait_for,
    wait_stage,
)


@pytest.mark.dated  # run again as of a risky start date (make test-dated)
async def test_escalation_gate_refusal_continue_and_minuted_close(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await audit_and_open_case(own_env, sessions, queue, "NM-L1")
        await _missed_attribution_escalates_to_the_board(own_env, sessions, inbox, case)
        state, pack = await to_active_stabilization(own_env, case, sessions)
        state = await _validation_opens_14_days_after_activation(own_env, case)
        await _gate_refuses_a_close_without_a_minute_then_continue(own_env, sessions, case, state)

        await skip_past_validation_opening(own_env, case, after="stabilization-validation")
        state = await wait_stage(case, "stabilization-validation")
        assert "stabilization-validation#1" in state.results  # the first round is kept
        unminuted = await rejection(
            submit(
                case,
                "stabilization-validation",
                "E-GOVREV",
                validation_fields(state, "executive_escalation"),
            )
        )
        assert unminuted.type == "InvalidFields"
        fields = validation_fields(state, "close", escalation_minute_ref="WGC-2026-11/7")
        await record_review(case)  # close needs the owner's review of the pathway
        await submit(case, "stabilization-validation", "E-GOVREV", fields)
        final = await asyncio.wait_for(case.result(), 60)
        assert final["closure"]["category"] == "closed_with_minuted_escalation"
        await record_history(case, "learning-case-continue-minuted-close")
        await record_history(pack, "fortnightly-pack-published")
    await _registers_hold_every_step_and_the_minute(sessions)


async def _missed_attribution_escalates_to_the_board(env, sessions, inbox, case) -> None:
    """Step 2 due in 2 working days; missed: level 1 at the deadline, then + director, then +
    board every 4 working hours (state, mail and breach rows)."""
    state = await wait_stage(case, "learning-attribution")
    ob = state.obligations["learning-attribution"]
    assert ob.deadline == compute_deadline(CALENDAR, "2 working days", state.opened_at).due_at
    await escalate_to(env, case, "learning-attribution", 3)  # its deadline, then 4 working hours
    await wait_for(lambda: holds(len(inbox.to(email("E-BOARD"))) >= 1))
    assert inbox.to(email("E-REGIONAL")) and inbox.to(email("E-EXEC"))
    async with sessions() as session:
        levels = (
            await session.scalars(
                select(Breach.level)
                .where(Breach.step == "learning-attribution")
                .order_by(Breach.level)
            )
        ).all()
    assert list(levels[:3]) == [1, 2, 3]


async def _validation_opens_14_days_after_activation(env, case):
    """The validation opens 14 days after activation, due 2 working days later; its state."""
    activated = next(
        e.at
        for e in (await case_state(case)).timeline
        if e.kind == "stage" and e.detail["stage"] == "active-stabilization"
    )
    await skip_past_validation_opening(env, case)
    state = await wait_stage(case, "stabilization-validation")
    ob = state.obligations["stabilization-validation"]
    assert abs(ob.opened_at - activated - timedelta(days=14)) < timedelta(hours=2)
    assert ob.deadline == compute_deadline(CALENDAR, "2 working days", ob.opened_at).due_at
    return state


async def _gate_refuses_a_close_without_a_minute_then_continue(env, sessions, case, state) -> None:
    """No response since activation: refused; one response, the gate not passed: a close needs
    an escalation minute; "continue" starts the next round."""
    await open_docs(case, "E-GOVREV", ["validation-measures"])
    no_form = await rejection(
        submit(case, "stabilization-validation", "E-GOVREV", validation_fields(state, "close"))
    )
    assert no_form.type == "MissingPrerequisite"
    now = await env.get_current_time()
    await load(sessions, "speaking-up-confidence-form", [confidence("R-1", now, 2)])
    await open_docs(case, "E-GOVREV", ["validation-measures"])  # refreshes the measures
    state = await case_state(case)
    computed = state.computed["stabilization-validation"]
    assert computed["responses_since_activation"] == 1 and not computed["gate_passed"]
    refused = await rejection(
        submit(case, "stabilization-validation", "E-GOVREV", validation_fields(state, "close"))
    )
    assert refused.type == "InvalidFields" and "escalation_minute_ref" in str(refused.details)
    await submit(case, "stabilization-validation", "E-GOVREV", validation_fields(state, "continue"))
    await wait_stage(case, "awaiting-validation")


async def _registers_hold_every_step_and_the_minute(sessions) -> None:
    async with sessions() as session:
        entries = (await session.scalars(select(RegisterEntry))).all()
    registers = {(e.register, e.kind) for e in entries}
    assert (LEARNING_VISIBILITY_WORKSPACE, "audit_generated") in registers
    assert (LEARNING_VISIBILITY_WORKSPACE, "review_marked_reviewed") in registers
    assert (LEARNING_VISIBILITY_REGISTER, "learning_attribution") in registers
    assert (LEARNING_STABILIZATION_LOG, "baseline_pinned") in registers
    assert (LEARNING_STABILIZATION_LOG, "pathway_accepted") in registers
    assert (LEARNING_STABILIZATION_LOG, "case_closed") in registers
    minutes = [
        e.payload.get("escalation_minute_ref")
        for e in entries
        if e.register == WORKFORCE_GOVERNANCE_RECORD and e.kind == "stabilization_validation"
    ]
    assert minutes == [None, "WGC-2026-11/7"]


async def test_close_allowed_when_recurrence_fell_and_visibility_improved(
    own_env, sqlite_url, sessions_for, smtp_server
):
    # The audit's run day has passed, so its "reviewed" deadline escalates: mails need a server.
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await audit_and_open_case(own_env, sessions, queue, "NM-L2")
        now = await own_env.get_current_time()
        # Baseline: a report submitted 11 days ago, closed yesterday without feedback.
        await load_closed(
            sessions, [closed_report("NM-B1", closed_at=now - timedelta(days=1), feedback=False)]
        )
        await to_active_stabilization(own_env, case, sessions)
        # Follow-up window: a report closed with feedback (submitted before activation).
        later = await own_env.get_current_time()
        await load_closed(sessions, [closed_report("NM-F1", closed_at=later + timedelta(days=5))])
        await load(sessions, "speaking-up-confidence-form", [confidence("R-9", later, 4)])
        await skip_past_validation_opening(own_env, case)
        state = await wait_stage(case, "stabilization-validation")
        computed = state.computed["stabilization-validation"]
        assert computed["recurrence_fell"] and computed["visibility_improved"], computed
        assert computed["gate_passed"]
        await open_docs(case, "E-GOVREV", ["validation-measures"])
        fields = validation_fields(
            state, "close", final_learning_visibility_status="visible_learning_closure"
        )
        await record_review(case)
        await submit(case, "stabilization-validation", "E-GOVREV", fields)
        final = await asyncio.wait_for(case.result(), 60)
        assert final["closure"]["category"] == "visible_learning_closure"
        await record_history(case, "learning-case-gate-passed")


async def test_validation_opens_after_the_pinned_days(
    own_env, sqlite_url, sessions_for, smtp_server
):
    """Example 2's validation timer reads the audit's pinned rules (validation_after_days = 10
    saved before the audit is generated), not the code's 14 days."""
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        now = await own_env.get_current_time()
        async with transaction(sessions) as s:
            pinned = await save_policy(
                s, "learning-visibility", {"validation_after_days": 10}, actor="E-ADMIN", at=now
            )
        case = await audit_and_open_case(own_env, sessions, queue, "NM-L10")
        await to_active_stabilization(own_env, case, sessions)
        state = await case_state(case)
        baseline = state.computed["activation-baseline"]
        assert (baseline["validation_days"], baseline["policy_version"]) == (10, pinned.version)
        activated = datetime.fromisoformat(baseline["activated_at"])
        await skip(own_env, timedelta(days=9), step=timedelta(days=1))
        assert (await case_state(case)).stage == "awaiting-validation"  # day 9: not yet
        await skip(own_env, timedelta(days=1, hours=1))
        state = await wait_stage(case, "stabilization-validation")
        opened = state.obligations["stabilization-validation"].opened_at
        assert abs(opened - activated - timedelta(days=10)) < timedelta(hours=2)
        await case.terminate()
