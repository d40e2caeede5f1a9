"""The demo started in the afternoon (13:30, after every deadline of the day's daily review):
its reviews are asked for as a person would, so none is late for a deadline that passed before
the demo existed. Today's review records that it was generated after its 07:30 deadline and
asked for then (no generation breach, no "Overdue, now with the director (reminder 2)" mail); its
sign-off is due by close of business. Real time-skipping server, worker, SMTP sink and SQLite.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, time

from sqlalchemy import select

from cli.demo_cmd import demo_as_of, start_demo_reviews
from domain import names
from domain.calendar import BusinessCalendar
from domain.periodic import ReviewSummary
from domain.roles import Role
from store.tables import Breach, Review
from tests.factories import load, staff_rows
from tests.fixtures.temporal import make_test_settings
from tests.workflow_support import CALENDAR, next_working_day, running_worker, skip_to, wait_for

CAL = BusinessCalendar(CALENDAR)
AFTERNOON = time(13, 30)  # past 07:30 + 4 working hours: the schedule's run would be at level 2
STEP_ONE = {
    "E-AUDITOR": [Role.LEARNING_VISIBILITY_AUDITOR],
    "E-CRED-ANALYST": [Role.WORKFORCE_EXPERIENCE_REPORTING_ANALYST],
}


async def test_a_demo_started_after_one_oclock_sends_no_escalation_for_today_review(
    own_env, sqlite_url, sessions_for, smtp_server
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows(STEP_ONE))
    day = await next_working_day(own_env)
    started = await skip_to(own_env, day, AFTERNOON)
    as_of = demo_as_of(CALENDAR.timezone, started, CAL)
    assert as_of == CAL.wall(day, time(7))  # today's review, its data as of 07:00
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        settings = make_test_settings(sqlite_url, temporal_task_queue=queue)
        ids = await start_demo_reviews(settings, as_of, own_env.client)
        today = f"ack-review-{day.isoformat()}"
        assert today in ids
        handle = own_env.client.get_workflow_handle(today)

        async def generated() -> ReviewSummary | None:
            summary = await handle.query(names.QUERY_STATE, result_type=ReviewSummary)
            return summary if summary.generated_at is not None else None

        summary = await wait_for(generated, within=40)

        async def signed_off_due() -> tuple[object, bool] | None:
            async with sessions() as s:
                review = await s.get(Review, today)
                due = review.sign_off_due_at if review else None
                return (due, review.back_run) if review and due else None

        close = CAL.wall(day, CALENDAR.working_day_end).astimezone(UTC)
        sign_off = await wait_for(signed_off_due, within=40)
        await asyncio.sleep(3)  # give a wrong escalation time to be recorded and mailed
        async with sessions() as s:
            breaches = [(b.case_id, b.step, b.level) for b in await s.scalars(select(Breach))]
        assert breaches == []
        assert sign_off == (close, True)
        subjects = [" ".join(m["Subject"].split()) for m in inbox.messages]
        assert not [s for s in subjects if s.startswith("Overdue")], subjects
        assert summary.generated_at >= started  # recorded truthfully: generated at the start
        assert summary.generation_deadline_passed_before_request
        for review_id in ids:
            await own_env.client.get_workflow_handle(review_id).terminate()
