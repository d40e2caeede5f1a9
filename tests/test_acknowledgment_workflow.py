"""Example 1 end to end on the time-skipping server: review → cases → steps → escalation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS, SAFETY_LEARNING_ASSURANCE_WORKSPACE
from domain.calendar import BusinessCalendar
from domain.cases import ActionDone, PathwayAcceptance
from domain.periodic import MarkReviewed, PackInput, PublishPack
from store.tables import Breach, Case, RegisterEntry
from tests.acknowledgment_support import (
    TRIAGE_DOCS,
    attribution_fields,
    impact_fields,
    open_docs,
    review_and_open_case,
)
from tests.factories import email, load, load_reports, report_rows, staff_rows
from tests.histories import record_history
from tests.workflow_support import (
    CALENDAR,
    actor,
    case_state,
    local_as_of,
    next_working_day,
    rejection,
    review_generated,
    running_worker,
    skip,
    start_review,
    submit,
    wait_for,
    wait_stage,
)


async def test_review_opens_case_and_step_two_rejects_then_accepts(
    own_env, sqlite_url, sessions_for
):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        case = await review_and_open_case(own_env, sessions, queue)
        state = await wait_stage(case, "triage-attribution")
        assert state.exposure == "critical"

        missing = await rejection(
            submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
        )
        assert missing.type == "MissingPrerequisite"
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        wrong_role = await rejection(
            submit(case, "triage-attribution", "E-MANAGER", attribution_fields(state))
        )
        assert wrong_role.type == "WrongRole"
        computed = state.computed["triage-attribution"]["indicator_count"]
        bad = await rejection(
            submit(
                case,
                "triage-attribution",
                "E-SUPERVISOR",
                attribution_fields(state, indicators_above_threshold=computed + 1),
            )
        )
        assert bad.type == "InvalidFields"
        assert f"computed value is {computed}" in str(bad.details)
        wrong_stage = await rejection(submit(case, "retention-impact", "E-MANAGER", {}))
        assert wrong_stage.type == "WrongStage"
        async with sessions() as session:
            kinds = (await session.scalars(select(RegisterEntry.kind))).all()
        assert sorted(kinds) == ["review_generated", "review_marked_reviewed"]  # no step entry

        receipt = await submit(
            case,
            "triage-attribution",
            "E-SUPERVISOR",
            attribution_fields(state),
            update_id="retry-key-1",
        )
        again = await submit(
            case,
            "triage-attribution",
            "E-SUPERVISOR",
            attribution_fields(state),
            update_id="retry-key-1",
        )
        assert receipt == again  # same Idempotency-Key: applied once, same answer
        await wait_stage(case, "retention-impact")
        async with sessions() as session:
            entries = (
                await session.scalars(
                    select(RegisterEntry).where(
                        RegisterEntry.register != SAFETY_LEARNING_ASSURANCE_WORKSPACE
                    )
                )
            ).all()
        assert [(e.register, e.kind, e.actor) for e in entries] == [
            ("near-miss-reliability-case-register", "triage_attribution", "E-SUPERVISOR")
        ]


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
        await wait_for(lambda: _async(len(inbox.to(email("E-BOARD"))) >= 1))
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
    fields = {
        "pathway_type": "triage_control_reset",
        "responsible_owner_id": "E-OWNER",
        "triage_control_implementation_deadline": (today + timedelta(days=7)).isoformat(),
        "worker_communication_deadline": (today + timedelta(days=3)).isoformat(),
        "mandatory_review_date": (today + timedelta(days=14)).isoformat(),
        "immediate_senior_acknowledgment": False,
        "mandatory_named_owner_assignment": True,
        "temporary_daily_service_line_review": False,
        "same_day_unsafe_condition_escalation": False,
        "note": "Reset triage ownership",
    }
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
    await wait_for(lambda: _async(True))
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
    await skip(env, timedelta(days=15), step=timedelta(days=1))  # the review date passes
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
    await wait_for(lambda: _async(len(inbox.to(email("W-100"))) >= 1))


async def _async(value):
    return value


async def test_low_impact_closes_case_and_asks_worker_to_confirm(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await review_and_open_case(own_env, sessions, queue, "NM-LOW-1")
        state = await wait_stage(case, "triage-attribution")
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        await submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
        state = await wait_stage(case, "retention-impact")
        await open_docs(case, "E-MANAGER", RETENTION_DOCUMENTS)
        await submit(case, "retention-impact", "E-MANAGER", impact_fields(state, "low"))
        final = await asyncio.wait_for(case.result(), 60)
        assert final["status"] == "closed"
        assert final["closure"]["category"] == "no_pathway_required"
        await record_history(case, "ack-case-low-impact")
        async with sessions() as session:
            row = await session.get(Case, names.ack_case_id("NM-LOW-1"))
        assert row.status == "closed" and row.employee_id == "W-100"
        [mail] = inbox.to(email("W-100"))
        body = mail.get_payload(decode=True).decode()
    link = "http://127.0.0.1:8000/app/forms/employee-confirmation?case_ref=ack-case-NM-LOW-1"
    assert link in body


async def _owner_told_it_is_theirs(inbox, case_id: str) -> None:
    """The named owner (no governance role) is mailed each obligation, linked to its page."""
    expected = {
        "Accept the acknowledgment-recovery pathway": "/pathway/accept",
        "Corrected triage-control implementation": "/pathway/actions/triage-control-implementation",
        "Worker communication": "/pathway/actions/worker-communication",
        "Same-day correction of the unsafe condition": (
            "/pathway/actions/unsafe-condition-correction"
        ),
    }

    def told() -> dict[str, str]:
        found = {}
        for mail in inbox.to(email("E-OWNER")):
            subject = " ".join(mail["Subject"].split())
            for title in expected:
                if subject == f"This is now yours: {title} ({case_id})":
                    found[title] = mail.get_payload(decode=True).decode()
        return found

    mails = await wait_for(lambda: _async(len(told()) == len(expected) and told()))
    for title, path in expected.items():
        assert f"http://127.0.0.1:8000/app/cases/{case_id}{path}" in mails[title], mails[title]
        assert "as its named owner" in mails[title]


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
        await _owner_told_it_is_theirs(inbox, case.id)
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

        await wait_for(lambda: _async(len(escalated()) >= 2))
        assert any("Accept the acknowledgment-recovery pathway" in s for s in escalated())
        assert any("Same-day correction" in s for s in escalated())
        # Escalation never completes anything: the pathway still awaits its owner.
        assert (await case_state(case)).stage == "pathway-acceptance"


async def test_a_later_review_raises_the_exposure_of_the_one_case(
    own_env, sqlite_url, sessions_for
):
    sessions = sessions_for(sqlite_url)
    calendar = BusinessCalendar(CALENDAR)
    first = await next_working_day(own_env)
    second = calendar.next_working_day(first)
    # Unacknowledged for 30 h at the first review (emerging), over 48 h at the second (critical).
    submitted = local_as_of(first) - timedelta(hours=30)
    await load(sessions, "staff-directory", staff_rows())
    await load_reports(
        sessions, [report_rows("NM-RISE-1", submitted_at=submitted, ack_minutes=None)]
    )
    async with running_worker(own_env, sessions) as queue:
        results = []
        for day in (first, second):
            review = await start_review(own_env.client, queue, day)
            await wait_for(lambda review=review: review_generated(review))
            await review.execute_update(
                names.UPDATE_MARK_REVIEWED,
                MarkReviewed(actor=actor("E-ANALYST")),
                rpc_timeout=timedelta(seconds=30),
            )
            results.append(await asyncio.wait_for(review.result(), 60))
        assert (results[0].cases_opened, results[1].cases_opened) == (1, 0)
        assert results[1].cases_raised == 1  # one case ever; the second review tells it
        case = own_env.client.get_workflow_handle(names.ack_case_id("NM-RISE-1"))

        async def raised():
            return (await case_state(case)).exposure == "critical"

        await wait_for(raised)
        assert any(e.kind == "exposure_raised" for e in (await case_state(case)).timeline)
