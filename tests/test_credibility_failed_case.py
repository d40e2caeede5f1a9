"""Example 3's failed case on the time-skipping server: adjudication escalated to level 3, a late
adjudication, active only once in a published board pack, stale answers, and a close on a minuted
escalation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain import names
from domain.cases import PathwayAcceptance
from domain.credibility import credibility_case_id
from domain.periodic import PackInput, PublishPack
from tests.credibility_support import (
    ADJ_DOCS,
    MEASURES,
    REPAIR_DOCS,
    RPC,
    adjudication,
    answer,
    breach_levels,
    complete_actions,
    open_docs,
    pathway,
    run_review,
    submit,
    validation,
    who,
)
from tests.escalation_support import skip_past_validation_opening
from tests.factories import email
from tests.histories import record_history
from tests.workflow_support import (
    case_state,
    holds,
    rejection,
    running_worker,
    skip,
    wait_for,
    wait_stage,
)


async def test_failed_case_escalates_waits_for_board_pack_and_closes_on_minuted_escalation(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        await run_review(own_env, sessions, queue)
        case = own_env.client.get_workflow_handle(credibility_case_id("CC-F"))
        state = await _adjudication_escalated_to_level_3(own_env, sessions, inbox, case)
        await open_docs(case, "E-QALEAD", ADJ_DOCS)
        receipt = await submit(
            case, "credibility-adjudication", "E-QALEAD", adjudication(state, "failed")
        )
        assert receipt["late"] is True
        pack = await _active_once_in_a_published_board_pack(own_env, queue, case)
        await complete_actions(case)
        await skip_past_validation_opening(own_env, case)
        await _stale_answer_then_minuted_escalation(own_env, sessions, case)
        await skip_past_validation_opening(own_env, case, after="repair-validation")
        state = await wait_stage(case, "repair-validation")
        await open_docs(case, "E-BOARD", MEASURES)
        # Still no improvement, but a formal escalation is minuted in the board record: close.
        await submit(case, "repair-validation", "E-BOARD", validation(state, "close"))
        final = await asyncio.wait_for(case.result(), 60)
        assert final["closure"]["category"] == "closed_with_escalation"
        await record_history(case, "credibility-case-failed-escalated")
        await record_history(pack, "monthly-board-pack-published")


async def _adjudication_escalated_to_level_3(env, sessions, inbox, case):
    """Past the 3-working-day deadline and two 4-working-hour reminders: levels 1, 2, 3, mailed
    to the lead, the director and the board; the case's state."""
    state = await wait_stage(case, "credibility-adjudication")
    deadline = state.obligations["credibility-adjudication"].deadline
    await skip(env, deadline - await env.get_current_time() + timedelta(days=3, hours=1))
    levels = await wait_for(lambda: _levels_reach(sessions, case.id, "credibility-adjudication", 3))
    assert [lvl for lvl, _ in levels[:3]] == [1, 2, 3]
    await wait_for(lambda: holds(inbox.to(email("E-QALEAD"))))
    await wait_for(lambda: holds(inbox.to(email("E-WXDIRECTOR"))))
    await wait_for(lambda: holds(inbox.to(email("E-BOARD"))))
    return state


async def _active_once_in_a_published_board_pack(env, queue, case):
    """Repair pathway accepted; a failed case waits for the monthly board pack, which only the
    director publishes; the pack."""
    await wait_stage(case, "repair-pathway")
    today = (await env.get_current_time()).date()
    await open_docs(case, "E-WXDIRECTOR", REPAIR_DOCS)
    await submit(case, "repair-pathway", "E-WXDIRECTOR", pathway(today))
    await wait_stage(case, "pathway-acceptance")
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=who("E-OWNER")), rpc_timeout=RPC
    )
    await wait_stage(case, "awaiting-visibility")  # failed: only once in a published board pack
    pack = await env.client.start_workflow(
        names.WF_PACK,
        PackInput(kind=names.PACK_MONTHLY, period=today.strftime("%Y-%m")),
        id="pack-monthly-board-test",
        task_queue=queue,
    )
    not_director = pack.execute_update(
        names.UPDATE_PUBLISH, PublishPack(actor=who("E-QALEAD")), rpc_timeout=RPC
    )
    assert (await rejection(not_director)).type == "WrongRole"
    await pack.execute_update(
        names.UPDATE_PUBLISH, PublishPack(actor=who("E-WXDIRECTOR")), rpc_timeout=RPC
    )
    await wait_stage(case, "awaiting-validation")
    return pack


async def _stale_answer_then_minuted_escalation(env, sessions, case) -> None:
    """The "not resolved" answer given before activation is stale: updated answers are needed;
    an escalation needs its minute."""
    state = await wait_stage(case, "repair-validation")
    assert state.computed["repair-validation"]["revised_confirmation_status"] == "no_response"
    await answer(sessions, "CC-F", False, 2, await env.get_current_time())
    await open_docs(case, "E-BOARD", MEASURES)
    state = await case_state(case)
    assert state.computed["repair-validation"]["revised_confirmation_status"] == "not_confirmed"
    bare = await rejection(
        submit(case, "repair-validation", "E-BOARD", validation(state, "escalate"))
    )
    assert bare.type == "InvalidFields"
    minute = "Board minute 12/4: repair escalated to the executive; worker offered a meeting"
    fields = validation(state, "escalate", escalation_minute=minute)
    await submit(case, "repair-validation", "E-BOARD", fields)


async def _levels_reach(sessions, subject, step, level):
    levels = await breach_levels(sessions, subject, step)
    return levels if levels and levels[-1][0] >= level else None
