"""Example 3 on the time-skipping server: monthly review → cases → repair → validation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from domain import names
from domain.cases import PathwayAcceptance
from domain.credibility import credibility_case_id, next_month
from domain.links import obligation_path
from domain.mail_words import about
from domain.notices import local_time
from domain.periodic import MarkReviewed, ScheduledStart
from domain.reviews import review_id
from store.db import transaction
from store.policies import save_policy
from store.tables import Case, RegisterEntry
from tests.credibility_support import (
    ADJ_DOCS,
    CAL,
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
    CALENDAR,
    case_state,
    holds,
    rejection,
    running_worker,
    skip,
    skip_until,
    wait_for,
    wait_stage,
)


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
        await wait_for(lambda: holds(inbox.to(email("E-WXANALYST"))))
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


@pytest.mark.dated  # run again as of a risky start date (make test-dated)
async def test_doubtful_case_repair_validation_gate_and_cycles(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        await run_review(own_env, sessions, queue)
        case = own_env.client.get_workflow_handle(credibility_case_id("CC-D"))
        await _adjudicated_doubtful_then_rules_tightened(own_env, sessions, case)
        activated = await _repair_pathway_accepted(own_env, inbox, case)
        state, ob = await _validation_opens_21_days_after_activation(
            own_env, inbox, case, activated
        )
        assert len(_yours(inbox, case.id)) == 1  # three weeks on: no mail per action came
        await _stale_answers_refused_and_escalated(own_env, sessions, inbox, case, state, ob)
        await _first_cycle_continues_without_improvement(own_env, sessions, case)

        # The worker now says it is resolved and is confident: the next cycle can close.
        await answer(sessions, "CC-D", True, 4, await own_env.get_current_time())
        await skip_past_validation_opening(own_env, case, after="repair-validation")
        state = await wait_stage(case, "repair-validation")
        assert state.computed["repair-validation"]["measurable_improvement"] is True
        assert "repair-validation#1" in state.results
        await open_docs(case, "E-BOARD", MEASURES)
        await submit(case, "repair-validation", "E-BOARD", validation(state, "close"))
        final = await asyncio.wait_for(case.result(), 60)
        assert final["status"] == "closed" and final["closure"]["category"] == "repaired"
        await record_history(case, "credibility-case-doubtful-repaired")
        assert {
            ("reporting-closure-credibility-register", "credibility_adjudication"),
            ("reporting-closure-repair-log", "repair_pathway"),
            ("reporting-closure-repair-log", "pathway_accepted"),
            ("board-workforce-experience-record", "repair_validation"),
            ("reporting-closure-repair-log", "case_closed"),
        } <= await _registers(sessions, case.id)


async def _adjudicated_doubtful_then_rules_tightened(env, sessions, case) -> None:
    """Step 2 within 3 working days: refused without its documents, below the computed class or
    with a computed value typed over; accepted as doubtful; then the rules change (v2)."""
    state = await wait_stage(case, "credibility-adjudication")
    ob = state.obligations["credibility-adjudication"]
    assert ob.deadline == CAL.add_working_days(state.opened_at, 3).astimezone(UTC)
    missing = await rejection(
        submit(case, "credibility-adjudication", "E-QALEAD", adjudication(state, "doubtful"))
    )
    assert missing.type == "MissingPrerequisite"
    await open_docs(case, "E-QALEAD", ADJ_DOCS)
    policy_changed_at = await env.get_current_time()
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


async def _repair_pathway_accepted(env, inbox, case) -> datetime:
    """Step 3 due 3 working days after step 2; the owner is mailed once for the whole pathway
    (each action with its deadline and link); accepted by the owner, the case is active at
    once (doubtful); the activation instant."""
    state = await wait_stage(case, "repair-pathway")
    assert state.obligations["repair-pathway"].deadline == CAL.add_working_days(
        state.obligations["credibility-adjudication"].done_at, 3
    ).astimezone(UTC)
    today = (await env.get_current_time()).date()
    await open_docs(case, "E-WXDIRECTOR", REPAIR_DOCS)
    # Action dates after the validation opens, so the timer test sees no action breaches.
    later = {
        "final_corrective_deadline": (today + timedelta(days=25)).isoformat(),
        "worker_reconnection_deadline": (today + timedelta(days=24)).isoformat(),
        "follow_up_review_date": (today + timedelta(days=26)).isoformat(),
    }
    await submit(case, "repair-pathway", "E-WXDIRECTOR", pathway(today, **later))
    opened = await wait_stage(case, "pathway-acceptance")
    await _owner_mailed_once(inbox, case.id, opened)
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=who("E-OWNER")), rpc_timeout=RPC
    )
    state = await wait_stage(case, "awaiting-validation")  # doubtful: active at acceptance
    return state.obligations["pathway-acceptance"].done_at


def _yours(inbox, case_id: str) -> list:
    """The "this is now yours" mails to the pathway's owner about CASE_ID."""
    return [
        m
        for m in inbox.to(email("E-OWNER"))
        if " ".join(m["Subject"].split()).startswith("This is now yours")
        and about(case_id) in " ".join(m["Subject"].split())
    ]


async def _owner_mailed_once(inbox, case_id: str, state) -> None:
    """One "this is now yours" to the owner for the closure-repair pathway: acceptance and its
    three actions, each due in London time, each linked to its own page."""
    subject = f"This is now yours: the closure-repair pathway (near miss NM-CC-D, {about(case_id)})"
    (mail,) = await wait_for(lambda: holds(_yours(inbox, case_id)))
    assert " ".join(mail["Subject"].split()) == subject
    body = mail.get_payload(decode=True).decode().replace("\r\n", "\n")
    owed = ("pathway-acceptance", "action:final-correction", "action:worker-reconnection",
            "action:follow-up-review")  # fmt: skip
    for key in owed:
        ob = state.obligations[key]
        page = obligation_path(case_id, key)
        due = local_time(ob.deadline, "Europe/London")
        assert f"- {ob.title}, due {due}\n  Do it here: http://127.0.0.1:8000{page}\n" in body
    assert body.count("Do it here:") == len(owed)


async def _validation_opens_21_days_after_activation(env, inbox, case, activated):
    """The 21-day timer: nothing opens at day 20; the worker is asked again at day 14; the step
    opens at day 21, due 2 working days later, and is refused without its measures."""
    await skip(env, timedelta(days=20), step=timedelta(days=1))
    assert (await case_state(case)).stage == "awaiting-validation"
    await wait_for(lambda: holds(inbox.to(email("W-1"))))
    opens = CAL.add_calendar_days(activated, 21)  # local dates: 21 x 24 h +/- 1 h across DST
    await skip_until(env, opens + timedelta(minutes=5))
    state = await wait_stage(case, "repair-validation")
    ob = state.obligations["repair-validation"]
    assert abs(ob.opened_at - opens) < timedelta(seconds=5)
    assert ob.deadline == CAL.add_working_days(opens, 2).astimezone(UTC)
    no_doc = await rejection(
        submit(case, "repair-validation", "E-BOARD", validation(state, "continue"))
    )
    assert no_doc.type == "MissingPrerequisite" and "repair-validation-measures" in str(
        no_doc.details
    )
    return state, ob


async def _stale_answers_refused_and_escalated(env, sessions, inbox, case, state, ob) -> None:
    """Nothing received since activation (the only answers are from before): refused, 409,
    naming both forms; the step stays open and its deadline escalates."""
    await open_docs(case, "E-BOARD", MEASURES)
    stale = await rejection(
        submit(case, "repair-validation", "E-BOARD", validation(state, "continue"))
    )
    assert stale.type == "MissingPrerequisite"
    assert "forms.employee-confirmation-form" in str(stale.details)
    assert "forms.speaking-up-confidence-form" in str(stale.details)
    await skip(env, ob.deadline - await env.get_current_time() + timedelta(minutes=5))
    levels = await wait_for(lambda: breach_levels(sessions, case.id, "repair-validation"))
    assert levels[0] == (1, ob.deadline)
    await wait_for(lambda: holds(inbox.to(email("E-BOARD"))))


async def _first_cycle_continues_without_improvement(env, sessions, case) -> None:
    """The worker's "not resolved" counts under the adjudication's rules (v1); the actions must be
    done first; no improvement refuses a close; "continue" (late) starts the next cycle."""
    await answer(sessions, "CC-D", False, 2, await env.get_current_time())
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
    await complete_actions(case)
    assert state.computed["repair-validation"]["measurable_improvement"] is False
    gate = await rejection(submit(case, "repair-validation", "E-BOARD", validation(state, "close")))
    assert gate.type == "InvalidFields" and "measurable improvement" in str(gate.details)
    receipt = await submit(case, "repair-validation", "E-BOARD", validation(state, "continue"))
    assert receipt["late"] is True
    await wait_stage(case, "awaiting-validation")


async def _registers(sessions, case_id: str) -> set[tuple[str, str]]:
    """The (register, kind) of every entry about the case."""
    async with sessions() as s:
        rows = await s.scalars(select(RegisterEntry).where(RegisterEntry.subject == case_id))
        return {(e.register, e.kind) for e in rows}


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
