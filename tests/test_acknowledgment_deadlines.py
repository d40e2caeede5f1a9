"""Example-1 deadlines on the time-skipping server at chosen local dates.

The test server's clock starts at the real now and only moves forward, so each test has its own
server and first skips forward to the local date and time it needs (a Friday afternoon, the
working day before a bank holiday, a Saturday review).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from activities.case_starter import case_search_attributes
from domain import names
from domain.cases import CaseInput
from domain.periodic import ReviewSummary
from store.tables import Breach
from tests.acknowledgment_support import TRIAGE_DOCS, attribution_fields, open_docs
from tests.factories import email, load, load_reports, report_rows, staff_rows
from tests.workflow_support import (
    CALENDAR,
    LONDON,
    case_state,
    eve_of_bank_holiday,
    review_generated,
    running_worker,
    skip_to,
    start_review,
    submit,
    wait_for,
    wait_stage,
)


def next_weekday(after: date, weekday: int) -> date:
    day = after + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


async def open_case_at_triage(env, sessions, queue, reference: str) -> object:
    """A case opened now (server time) for a critical report, at triage attribution."""
    now = await env.get_current_time()
    await load(sessions, "staff-directory", staff_rows())
    await load_reports(
        sessions, [report_rows(reference, submitted_at=now - timedelta(days=3), ack_minutes=None)]
    )
    inp = CaseInput(
        case_id=names.ack_case_id(reference),
        example=names.EXAMPLE_ACKNOWLEDGMENT,
        reference=reference,
        review_id="ack-review-test",
        exposure="critical",
        service_line="HC-NORTH",
        opened_at=now,
        calendar=CALENDAR,
        policy_version="ack-policy-v1",
    )
    handle = await env.client.start_workflow(
        names.WF_ACK_CASE,
        inp,
        id=inp.case_id,
        task_queue=queue,
        search_attributes=case_search_attributes(inp),
    )
    await wait_stage(handle, "triage-attribution")
    return handle


async def retention_deadline_after_attribution(env, handle) -> datetime:
    state = await case_state(handle)
    await open_docs(handle, "E-SUPERVISOR", TRIAGE_DOCS)
    await submit(handle, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
    state = await wait_stage(handle, "retention-impact")
    return state.obligations["retention-impact"].deadline


@pytest.mark.dated  # run again as of a risky start date (make test-dated)
async def test_four_working_hours_from_friday_afternoon_end_monday_late_morning(
    own_env, sqlite_url, sessions_for
):
    sessions = sessions_for(sqlite_url)
    today = LONDON.local(await own_env.get_current_time()).date()
    friday = next_weekday(today, 4)
    while not LONDON.is_working_day(friday) or not LONDON.is_working_day(
        friday + timedelta(days=3)
    ):
        friday = next_weekday(friday, 4)
    await skip_to(own_env, friday, time(15))
    async with running_worker(own_env, sessions) as queue:
        handle = await open_case_at_triage(own_env, sessions, queue, "NM-FRI-1")
        triage_due = (await case_state(handle)).obligations["triage-attribution"].deadline
        assert LONDON.local(triage_due) == LONDON.wall(friday, time(17))  # same day
        due = await retention_deadline_after_attribution(own_env, handle)
    # 15:00-17:00 Friday (2 h) + 09:00-11:00 Monday (2 h): the weekend never counts.
    assert_near(due, LONDON.wall(friday + timedelta(days=3), time(11)))


async def test_working_hours_skip_a_bank_holiday(own_env, sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    today = LONDON.local(await own_env.get_current_time()).date()
    eve = eve_of_bank_holiday(today)
    await skip_to(own_env, eve, time(15))
    async with running_worker(own_env, sessions) as queue:
        handle = await open_case_at_triage(own_env, sessions, queue, "NM-HOL-1")
        due = await retention_deadline_after_attribution(own_env, handle)
    resume = LONDON.next_working_day(eve)
    assert (resume - eve).days >= 2  # at least one bank holiday in between
    assert_near(due, LONDON.wall(resume, time(11)))


async def test_review_for_a_saturday_is_skipped(own_env, sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    today = LONDON.local(await own_env.get_current_time()).date()
    saturday = next_weekday(today, 5)
    async with running_worker(own_env, sessions) as queue:
        review = await start_review(own_env.client, queue, saturday)
        summary = await asyncio.wait_for(review.result(), 30)
    assert isinstance(summary, ReviewSummary)
    assert summary.skipped == f"{saturday} is not a working day" and summary.as_of is None


async def test_unmarked_review_escalates_after_0930_to_the_analyst(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    today = LONDON.local(await own_env.get_current_time()).date()
    day = LONDON.next_working_day(today)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        review = await start_review(own_env.client, queue, day)
        await wait_for(lambda: review_generated(review))
        await skip_to(own_env, day, time(9, 31))

        async def breached() -> bool:
            async with sessions() as session:
                rows = (await session.scalars(select(Breach))).all()
            return any(b.case_id == review.id and b.level >= 1 for b in rows)

        await wait_for(breached)
        await wait_for(lambda: _has_mail(inbox, email("E-ANALYST")))
    async with sessions() as session:
        [first] = (await session.scalars(select(Breach).where(Breach.level == 1))).all()
    assert first.step == "mark-reviewed"
    assert LONDON.local(first.deadline) == LONDON.wall(day, time(9, 30))


def assert_near(actual: datetime, expected: datetime) -> None:
    """Equal to the minute: the step is submitted a moment (real time) after the skip."""
    assert timedelta(0) <= actual - expected < timedelta(minutes=1), (actual, expected)


async def _has_mail(inbox, address: str) -> bool:
    return bool(inbox.to(address))
