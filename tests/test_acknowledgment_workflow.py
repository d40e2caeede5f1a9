"""Example 1 on the time-skipping server: review → cases → steps, a low-impact close, a later
review raising a case's exposure (escalations, full lifecycle: test_acknowledgment_escalation)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS, SAFETY_LEARNING_ASSURANCE_WORKSPACE
from domain.calendar import BusinessCalendar
from domain.periodic import MarkReviewed
from store.analytics_values import calendar_key
from store.tables import Case, RegisterEntry
from store.tables_analytics import AckItemValues, AckValuesReview
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
        async with sessions() as session:  # the workflow valued its review: no read has run
            valued = (await session.scalars(select(AckItemValues.reference))).all()
            marks = (await session.scalars(select(AckValuesReview.calendar))).all()
        assert sorted(valued) == ["NM-CRIT-1", "NM-CRIT-1-OK"]
        assert marks == [calendar_key(BusinessCalendar(CALENDAR))]

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
        typed_over = attribution_fields(state, indicators_above_threshold=computed + 1)
        bad = await rejection(submit(case, "triage-attribution", "E-SUPERVISOR", typed_over))
        assert bad.type == "InvalidFields"
        assert f"computed value is {computed}" in str(bad.details)
        wrong_stage = await rejection(submit(case, "retention-impact", "E-MANAGER", {}))
        assert wrong_stage.type == "WrongStage"
        async with sessions() as session:
            kinds = (await session.scalars(select(RegisterEntry.kind))).all()
        assert sorted(kinds) == ["review_generated", "review_marked_reviewed"]  # no step entry

        fields, key = attribution_fields(state), "retry-key-1"
        receipt = await submit(case, "triage-attribution", "E-SUPERVISOR", fields, update_id=key)
        again = await submit(case, "triage-attribution", "E-SUPERVISOR", fields, update_id=key)
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
