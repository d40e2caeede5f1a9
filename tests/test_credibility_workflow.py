"""Example 3 on the time-skipping server: monthly review → cases → repair → validation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from domain import names
from domain.cases import ActionDone, PathwayAcceptance
from domain.credibility import credibility_case_id, next_month
from domain.periodic import MarkReviewed, PackInput, PublishPack, ScheduledStart
from domain.reviews import review_id
from store.db import transaction
from store.policies import save_policy
from store.tables import Breach, Case, RegisterEntry
from tests.credibility_support import (
    ADJ_DOCS,
    CAL,
    MEASURES,
    REPAIR_DOCS,
    RPC,
    adjudication,
    open_docs,
    pathway,
    run_review,
    submit,
    validation,
    who,
)
from tests.factories import email, load
from tests.histories import record_history
from tests.workflow_support import (
    CALENDAR,
    case_state,
    rejection,
    running_worker,
    skip,
    wait_for,
    wait_stage,
)


async def _true(value: Any) -> Any:
    return value


async def answer(sessions, case_ref: str, confirmed: bool, score: int, at: datetime) -> None:
    """The worker answers the employee confirmation and the speaking-up form at AT."""
    await load(
        sessions,
        "employee-confirmation-form",
        [
            {
                "case_ref": case_ref,
                "employee_id": "W-1",
                "confirmed": confirmed,
                "responded_at": at.isoformat(),
            }
        ],
    )
    await load(
        sessions,
        "speaking-up-confidence-form",
        [
            {
                "response_id": f"SU-{case_ref}-{at.timestamp():.0f}",
                "employee_id": "W-1",
                "service_line": "SL-A",
                "risk_domain": "medication",
                "score": score,
                "submitted_at": at.isoformat(),
            }
        ],
    )


async def breach_levels(sessions, subject, step):
    async with sessions() as s:
        rows = await s.scalars(select(Breach).where(Breach.case_id == subject, Breach.step == step))
        return sorted((b.level, b.deadline) for b in rows)


async def test_review_deadline_escalates_then_marked_review_opens_cases(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        review, as_of = await run_review(own_env, sessions, queue, mark=False)
        fifth = CAL.nth_working_day_of_month(as_of, 5)
        await skip(own_env, fifth - await own_env.get_current_time() + timedelta(minutes=5))
        levels = await wait_for(lambda: breach_levels(sessions, review.id, "mark-reviewed"))
        assert levels[0] == (1, fifth.astimezone(UTC))
        await wait_for(lambda: _true(inbox.to(email("E-WXANALYST"))))
        wrong = review.execute_update(
            names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=who("E-QALEAD")), rpc_timeout=RPC
        )
        assert (await rejection(wrong)).type == "WrongRole"
        await review.execute_update(
            names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=who("E-WXANALYST")), rpc_timeout=RPC
        )
        result = await asyncio.wait_for(review.result(), 60)
        assert result.cases_opened == 2
        await record_history(review, "credibility-review-escalated")
        async with sessions() as s:
            rows = (
                await s.scalars(select(Case).where(Case.example == "closure-credibility"))
            ).all()
        assert {(c.case_id, c.exposure, c.employee_id) for c in rows} == {
            (credibility_case_id("CC-D"), "doubtful", "W-1"),
            (credibility_case_id("CC-F"), "failed", "W-1"),
        }


async def test_doubtful_case_repair_validation_gate_and_cycles(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        await run_review(own_env, sessions, queue)
        case = own_env.client.get_workflow_handle(credibility_case_id("CC-D"))
        state = await wait_stage(case, "credibility-adjudication")
        ob = state.obligations["credibility-adjudication"]
        assert ob.deadline == CAL.add_working_days(state.opened_at, 3).astimezone(UTC)
        missing = await rejection(
            submit(case, "credibility-adjudication", "E-QALEAD", adjudication(state, "doubtful"))
        )
        assert missing.type == "MissingPrerequisite"
        await open_docs(case, "E-QALEAD", ADJ_DOCS)
        policy_changed_at = await own_env.get_current_time()
        lower = await rejection(
            submit(case, "credibility-adjudication", "E-QALEAD", adjudication(state, "credible"))
        )
        assert lower.type == "InvalidFields" and "classify it 'doubtful'" in str(lower.details)
        typed = adjudication(state, "doubtful", days_closure_to_reopen=3)
        assert (
            await rejection(submit(case, "credibility-adjudication", "E-QALEAD", typed))
        ).type == "InvalidFields"
        assert state.computed["credibility-adjudication"]["rule_version"] == "closure-policy-v1"
        await submit(case, "credibility-adjudication", "E-QALEAD", adjudication(state, "doubtful"))
        # The administrator tightens the rules after adjudication (repeated = 5 closures, not 2):
        # the validation must still apply the adjudication's rule version.
        async with transaction(sessions) as s:
            v2 = await save_policy(
                s, "closure-credibility", {"repeat_min": 5}, actor="E-ADMIN", at=policy_changed_at
            )
        assert v2.version == "closure-policy-v2"

        state = await wait_stage(case, "repair-pathway")
        assert state.obligations["repair-pathway"].deadline == CAL.add_working_days(
            state.obligations["credibility-adjudication"].done_at, 3
        ).astimezone(UTC)
        today = (await own_env.get_current_time()).date()
        await open_docs(case, "E-WXDIRECTOR", REPAIR_DOCS)
        # Action dates after the validation opens, so the timer test sees no action breaches.
        later = {
            "final_corrective_deadline": (today + timedelta(days=25)).isoformat(),
            "worker_reconnection_deadline": (today + timedelta(days=24)).isoformat(),
            "follow_up_review_date": (today + timedelta(days=26)).isoformat(),
        }
        await submit(case, "repair-pathway", "E-WXDIRECTOR", pathway(today, **later))
        await wait_stage(case, "pathway-acceptance")
        await case.execute_update(
            names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=who("E-OWNER")), rpc_timeout=RPC
        )
        state = await wait_stage(case, "awaiting-validation")  # doubtful: active at acceptance
        activated = state.obligations["pathway-acceptance"].done_at

        # The 21-day timer: nothing opens at day 20; the worker is asked again at day 14.
        await skip(own_env, timedelta(days=20), step=timedelta(days=1))
        assert (await case_state(case)).stage == "awaiting-validation"
        await wait_for(lambda: _true(inbox.to(email("W-1"))))
        await skip(own_env, timedelta(days=1, minutes=5))
        state = await wait_stage(case, "repair-validation")
        ob = state.obligations["repair-validation"]
        opens = CAL.add_calendar_days(activated, 21)
        assert abs(ob.opened_at - opens) < timedelta(seconds=5)
        assert ob.deadline == CAL.add_working_days(opens, 2).astimezone(UTC)
        no_doc = await rejection(
            submit(case, "repair-validation", "E-BOARD", validation(state, "continue"))
        )
        assert no_doc.type == "MissingPrerequisite" and "repair-validation-measures" in str(
            no_doc.details
        )
        await open_docs(case, "E-BOARD", MEASURES)
        # Nothing received since activation (the only answers are from before): refused, 409,
        # naming both forms; the step stays open and its deadline escalates.
        stale = await rejection(
            submit(case, "repair-validation", "E-BOARD", validation(state, "continue"))
        )
        assert stale.type == "MissingPrerequisite"
        assert "forms.employee-confirmation-form" in str(stale.details)
        assert "forms.speaking-up-confidence-form" in str(stale.details)
        await skip(own_env, ob.deadline - await own_env.get_current_time() + timedelta(minutes=5))
        levels = await wait_for(lambda: breach_levels(sessions, case.id, "repair-validation"))
        assert levels[0] == (1, ob.deadline)
        await wait_for(lambda: _true(inbox.to(email("E-BOARD"))))
        await answer(sessions, "CC-D", False, 2, await own_env.get_current_time())
        await open_docs(case, "E-BOARD", MEASURES)  # refreshes: the answers now count
        state = await case_state(case)
        assert state.computed["repair-validation"]["missing_since_activation"] == []
        computed = state.computed["repair-validation"]
        assert computed["rule_version"] == "closure-policy-v1"
        assert computed["adjudication_rule_version"] == "closure-policy-v1"
        assert computed["repeated_doubtful"] is True  # two by the same role: v1 says repeated
        undone = await rejection(
            submit(case, "repair-validation", "E-BOARD", validation(state, "continue"))
        )
        assert undone.type == "MissingPrerequisite" and "actions." in str(undone.details)
        for action in ("final-correction", "worker-reconnection", "follow-up-review"):
            await case.execute_update(
                names.UPDATE_COMPLETE_ACTION,
                ActionDone(action=action, actor=who("E-OWNER")),
                rpc_timeout=RPC,
            )
        assert state.computed["repair-validation"]["measurable_improvement"] is False
        gate = await rejection(
            submit(case, "repair-validation", "E-BOARD", validation(state, "close"))
        )
        assert gate.type == "InvalidFields" and "measurable improvement" in str(gate.details)
        receipt = await submit(case, "repair-validation", "E-BOARD", validation(state, "continue"))
        assert receipt["late"] is True
        await wait_stage(case, "awaiting-validation")

        # The worker now says it is resolved and is confident: the next cycle can close.
        await answer(sessions, "CC-D", True, 4, await own_env.get_current_time())
        await skip(own_env, timedelta(days=21, minutes=5), step=timedelta(days=1))
        state = await wait_stage(case, "repair-validation")
        assert state.computed["repair-validation"]["measurable_improvement"] is True
        assert "repair-validation#1" in state.results
        await open_docs(case, "E-BOARD", MEASURES)
        await submit(case, "repair-validation", "E-BOARD", validation(state, "close"))
        final = await asyncio.wait_for(case.result(), 60)
        assert final["status"] == "closed" and final["closure"]["category"] == "repaired"
        await record_history(case, "credibility-case-doubtful-repaired")
        async with sessions() as s:
            registers = {
                (e.register, e.kind)
                for e in await s.scalars(
                    select(RegisterEntry).where(RegisterEntry.subject == case.id)
                )
            }
        assert {
            ("reporting-closure-credibility-register", "credibility_adjudication"),
            ("reporting-closure-repair-log", "repair_pathway"),
            ("reporting-closure-repair-log", "pathway_accepted"),
            ("board-workforce-experience-record", "repair_validation"),
            ("reporting-closure-repair-log", "case_closed"),
        } <= registers


async def test_failed_case_escalates_waits_for_board_pack_and_closes_on_minuted_escalation(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        await run_review(own_env, sessions, queue)
        case = own_env.client.get_workflow_handle(credibility_case_id("CC-F"))
        state = await wait_stage(case, "credibility-adjudication")
        deadline = state.obligations["credibility-adjudication"].deadline
        # Past the 3-working-day deadline and two 4-working-hour reminders: levels 1, 2, 3.
        await skip(
            own_env, deadline - await own_env.get_current_time() + timedelta(days=3, hours=1)
        )
        levels = await wait_for(
            lambda: _levels_reach(sessions, case.id, "credibility-adjudication", 3)
        )
        assert [lvl for lvl, _ in levels[:3]] == [1, 2, 3]
        await wait_for(lambda: _true(inbox.to(email("E-QALEAD"))))
        await wait_for(lambda: _true(inbox.to(email("E-WXDIRECTOR"))))
        await wait_for(lambda: _true(inbox.to(email("E-BOARD"))))

        await open_docs(case, "E-QALEAD", ADJ_DOCS)
        receipt = await submit(
            case, "credibility-adjudication", "E-QALEAD", adjudication(state, "failed")
        )
        assert receipt["late"] is True
        await wait_stage(case, "repair-pathway")
        today = (await own_env.get_current_time()).date()
        await open_docs(case, "E-WXDIRECTOR", REPAIR_DOCS)
        await submit(case, "repair-pathway", "E-WXDIRECTOR", pathway(today))
        await wait_stage(case, "pathway-acceptance")
        await case.execute_update(
            names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=who("E-OWNER")), rpc_timeout=RPC
        )
        await wait_stage(case, "awaiting-visibility")  # failed: only once in a published board pack
        pack = await own_env.client.start_workflow(
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
        for action in ("final-correction", "worker-reconnection", "follow-up-review"):
            await case.execute_update(
                names.UPDATE_COMPLETE_ACTION,
                ActionDone(action=action, actor=who("E-OWNER")),
                rpc_timeout=RPC,
            )
        await skip(own_env, timedelta(days=21, minutes=5), step=timedelta(days=1))
        state = await wait_stage(case, "repair-validation")
        # The "not resolved" answer given before activation is stale: updated answers are needed.
        assert state.computed["repair-validation"]["revised_confirmation_status"] == "no_response"
        await answer(sessions, "CC-F", False, 2, await own_env.get_current_time())
        await open_docs(case, "E-BOARD", MEASURES)
        state = await case_state(case)
        assert state.computed["repair-validation"]["revised_confirmation_status"] == "not_confirmed"
        bare = await rejection(
            submit(case, "repair-validation", "E-BOARD", validation(state, "escalate"))
        )
        assert bare.type == "InvalidFields"
        minute = "Board minute 12/4: repair escalated to the executive; worker offered a meeting"
        await submit(
            case,
            "repair-validation",
            "E-BOARD",
            validation(state, "escalate", escalation_minute=minute),
        )
        await skip(own_env, timedelta(days=21, minutes=5), step=timedelta(days=1))
        state = await wait_stage(case, "repair-validation")
        await open_docs(case, "E-BOARD", MEASURES)
        # Still no improvement, but a formal escalation is minuted in the board record: close.
        await submit(case, "repair-validation", "E-BOARD", validation(state, "close"))
        final = await asyncio.wait_for(case.result(), 60)
        assert final["closure"]["category"] == "closed_with_escalation"
        await record_history(case, "credibility-case-failed-escalated")
        await record_history(pack, "monthly-board-pack-published")


async def _levels_reach(sessions, subject, step, level):
    levels = await breach_levels(sessions, subject, step)
    return levels if levels and levels[-1][0] >= level else None


async def test_schedule_starts_the_previous_months_review_only_on_the_first_working_day(
    own_env, sqlite_url, sessions_for
):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:

        async def fire(n: int) -> str:
            return await own_env.client.execute_workflow(
                names.WF_SCHEDULED_START,
                ScheduledStart(target="review", name=names.EXAMPLE_CREDIBILITY, calendar=CALENDAR),
                id=f"schedule-fire-{n}",
                task_queue=queue,
                result_type=str,
            )

        now = await own_env.get_current_time()
        local = CAL.local(now)
        following = next_month(local.date().replace(day=1))
        first = CAL.nth_working_day_of_month(datetime.combine(following, time(12), tzinfo=UTC), 1)
        if local.date() != first.date():
            assert (await fire(1)).startswith("skipped")
        await skip(own_env, CAL.wall(first.date(), time(7)) - now, step=timedelta(days=1))
        period = await fire(2)
        assert period == f"{local.year:04d}-{local.month:02d}"
        handle = own_env.client.get_workflow_handle(review_id(names.EXAMPLE_CREDIBILITY, period))
        assert (await handle.describe()).status is not None
