"""Example 1's escalations on the time-skipping server: a missed retention-impact deadline mailed up
to the board, then the case's full lifecycle; an unaccepted pathway and a missed action escalated
to the named owner."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from domain.cases import ActionDone, PathwayAcceptance
from domain.mail_words import about
from domain.notices import local_time
from domain.periodic import PackInput, PublishPack
from store.tables import Breach
from tests.acknowledgment_support import (
    TRIAGE_DOCS,
    attribution_fields,
    impact_fields,
    open_docs,
    review_and_open_case,
)
from tests.api_support import pathway
from tests.factories import email
from tests.histories import record_history
from tests.workflow_support import (
    actor,
    case_state,
    holds,
    rejection,
    running_worker,
    skip,
    skip_until,
    submit,
    wait_for,
    wait_stage,
)

pytestmark = pytest.mark.dated  # run again as of a risky start date (make test-dated)


async def test_missed_retention_deadline_escalates_with_mail_then_full_lifecycle(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await review_and_open_case(own_env, sessions, queue, "NM-ESC-1")
        state = await wait_stage(case, "triage-attribution")
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        await submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
        state = await wait_stage(case, "retention-impact")
        deadline = state.obligations["retention-impact"].deadline

        # Skip past the 4-working-hour deadline and two more 4-working-hour reminders.
        await skip(own_env, deadline - await own_env.get_current_time() + timedelta(days=3))

        async def escalated_to_board():
            s = await case_state(case)
            return s.obligations["retention-impact"].level >= 3 and s

        state = await wait_for(escalated_to_board)
        await wait_for(lambda: holds(len(inbox.to(email("E-BOARD"))) >= 1))
        assert inbox.to(email("E-MANAGER"))  # level 1: the step's role
        assert inbox.to(email("E-DIRECTOR"))  # level 2: + the example's director
        async with sessions() as session:
            levels = sorted(
                (
                    await session.scalars(
                        select(Breach.level).where(Breach.step == "retention-impact")
                    )
                ).all()
            )
        assert levels[:3] == [1, 2, 3]

        await open_docs(case, "E-MANAGER", RETENTION_DOCUMENTS)
        receipt = await submit(case, "retention-impact", "E-MANAGER", impact_fields(state, "high"))
        assert receipt["late"] is True
        state = await wait_stage(case, "recovery-pathway")
        await _pathway_to_closure(own_env, case, state, inbox)


async def _pathway_to_closure(env, case, state, inbox):
    today = (await env.get_current_time()).date()
    fields = pathway(today, "E-OWNER")  # actions due in 7 and 3 days, the review in 14
    assert (
        await rejection(submit(case, "recovery-pathway", "E-DIRECTOR", fields))
    ).type == "MissingPrerequisite"
    await open_docs(case, "E-DIRECTOR", ["reporting-control-authorization-sheet"])
    await submit(case, "recovery-pathway", "E-DIRECTOR", fields)
    await wait_stage(case, "pathway-acceptance")
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY,
        PathwayAcceptance(actor=actor("E-OWNER")),
        rpc_timeout=timedelta(seconds=30),
    )
    await wait_stage(case, "awaiting-visibility")

    year, week, _ = (await env.get_current_time()).date().isocalendar()
    pack = await env.client.start_workflow(
        names.WF_PACK,
        PackInput(kind=names.PACK_WEEKLY, period=f"{year}-W{week:02d}"),  # the case's week
        id=f"pack-test-{case.id}",
        task_queue=(await case.describe()).task_queue,
    )
    await wait_for(lambda: holds(True))
    await pack.execute_update(
        names.UPDATE_PUBLISH,
        PublishPack(actor=actor("E-DIRECTOR")),
        rpc_timeout=timedelta(seconds=30),
    )
    await wait_stage(case, "active-recovery")
    for action in ("triage-control-implementation", "worker-communication"):
        await case.execute_update(
            names.UPDATE_COMPLETE_ACTION,
            ActionDone(action=action, actor=actor("E-OWNER")),
            rpc_timeout=timedelta(seconds=30),
        )
    # The review is due at close of business of its date, or of the next working day when the
    # date is not one (the 14 days can end on a weekend or a bank holiday: a fixed 15-day skip
    # fell short of 28 December's due on 29 December). Skip to just past it, wherever it falls.
    review_date = date.fromisoformat(fields["mandatory_review_date"])
    due = (await case_state(case)).obligations["recovery-review"].next_escalation_at
    assert due is not None and review_date <= due.date() <= review_date + timedelta(days=7)
    await skip_until(env, due + timedelta(hours=1), step=timedelta(days=1))  # the date passes
    state = await case_state(case)
    assert state.status == "open"  # a passing review date decides nothing: the owner does
    assert state.obligations["recovery-review"].level >= 1
    review = {"outcome": "recovered", "findings": "Triage ownership holds"}
    receipt = await submit(case, "recovery-review", "E-OWNER", review)
    assert receipt["late"] is True
    final = await asyncio.wait_for(case.result(), 60)
    assert final["status"] == "closed"
    assert final["closure"]["category"] == "recovered"
    await record_history(case, "ack-case-full-lifecycle")
    await record_history(pack, "weekly-pack-published")
    await wait_for(lambda: holds(len(inbox.to(email("W-100"))) >= 1))


async def _owner_told_it_is_theirs(inbox, case_id: str, state) -> None:
    """The named owner (no governance role) is mailed once for the whole pathway: each item
    with its deadline in London time and the link to its page (not one mail per action)."""
    expected = {
        "pathway-acceptance": "/pathway/accept",
        "action:triage-control-implementation": "/pathway/actions/triage-control-implementation",
        "action:worker-communication": "/pathway/actions/worker-communication",
        "action:unsafe-condition-correction": "/pathway/actions/unsafe-condition-correction",
        "recovery-review": "/steps/recovery-review",
    }
    subject = f"This is now yours: the acknowledgment-recovery pathway ({about(case_id)})"

    def mails() -> list[str]:
        return [
            m.get_payload(decode=True).decode().replace("\r\n", "\n")
            for m in inbox.to(email("E-OWNER"))
            if " ".join(m["Subject"].split()) == subject
        ]

    (body,) = await wait_for(lambda: holds(mails()))
    assert "as its named owner" in body
    for key, path in expected.items():
        ob = state.obligations[key]
        line = (
            f"- {ob.title}, due {local_time(ob.deadline, 'Europe/London')}\n"
            f"  Do it here: http://127.0.0.1:8000/app/cases/{case_id}{path}\n"
        )
        assert line in body, body
    assert body.count("Do it here:") == len(expected)
    theirs = [
        m for m in inbox.to(email("E-OWNER")) if about(case_id) in " ".join(m["Subject"].split())
    ]
    assert len(theirs) == 1, [m["Subject"] for m in theirs]


async def test_unaccepted_pathway_and_missed_action_escalate_to_the_named_owner(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await review_and_open_case(own_env, sessions, queue, "NM-OWN-1")
        state = await wait_stage(case, "triage-attribution")
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        await submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
        state = await wait_stage(case, "retention-impact")
        await open_docs(case, "E-MANAGER", RETENTION_DOCUMENTS)
        await submit(case, "retention-impact", "E-MANAGER", impact_fields(state, "medium"))
        await wait_stage(case, "recovery-pathway")
        today = (await own_env.get_current_time()).date()
        fields = {
            "pathway_type": "unsafe_condition_correction",
            "responsible_owner_id": "E-OWNER",
            "triage_control_implementation_deadline": (today + timedelta(days=10)).isoformat(),
            "worker_communication_deadline": (today + timedelta(days=10)).isoformat(),
            "mandatory_review_date": (today + timedelta(days=20)).isoformat(),
            "immediate_senior_acknowledgment": False,
            "mandatory_named_owner_assignment": False,
            "temporary_daily_service_line_review": True,
            "same_day_unsafe_condition_escalation": True,
            "note": "Hoist sling fault still live",
        }
        await open_docs(case, "E-DIRECTOR", ["reporting-control-authorization-sheet"])
        await submit(case, "recovery-pathway", "E-DIRECTOR", fields)
        state = await wait_stage(case, "pathway-acceptance")
        await _owner_told_it_is_theirs(inbox, case.id, state)
        # Same-day correction is due at close of business; acceptance within 1 working day.
        correction = state.obligations["action:unsafe-condition-correction"]
        acceptance = state.obligations["pathway-acceptance"]
        assert correction.deadline <= acceptance.deadline
        await skip(
            own_env, acceptance.deadline - await own_env.get_current_time() + timedelta(hours=1)
        )

        async def owner_breaches():
            async with sessions() as session:
                rows = (await session.scalars(select(Breach))).all()
            steps = {b.step for b in rows if b.case_id == case.id}
            return {"pathway-acceptance", "action:unsafe-condition-correction"} <= steps

        await wait_for(owner_breaches)

        def escalated() -> list[str]:
            subjects = [" ".join(m["Subject"].split()) for m in inbox.to(email("E-OWNER"))]
            return [s for s in subjects if s.startswith("Overdue, ")]

        await wait_for(lambda: holds(len(escalated()) >= 2))
        assert any("Accept the acknowledgment-recovery pathway" in s for s in escalated())
        assert any("Same-day correction" in s for s in escalated())
        # Escalation never completes anything: the pathway still awaits its owner.
        assert (await case_state(case)).stage == "pathway-acceptance"
