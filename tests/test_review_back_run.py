"""A back-run: a person asks for a past day's review after its deadlines had passed (issue 11
item 8 lets the step-1 role do so). Nobody was late for a review nobody had asked for yet, so no
generation breach is recorded or mailed; the review records when it was really generated and
that it was asked for after its deadline; its sign-off is due by close of business of the day it
was generated (and escalates from then like any step). A review the schedule started, or one
asked for before its deadline, still breaches when late (tests/test_review_generation_deadline.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, time, timedelta

from sqlalchemy import select

from domain import names
from domain.calendar import BusinessCalendar
from domain.mail_words import about
from domain.periodic import ReviewInput, ReviewSummary
from domain.reviews import GENERATE_REVIEW, review_id
from store.tables import Breach, Review
from tests.factories import email, load, staff_rows
from tests.workflow_support import CALENDAR, next_working_day, running_worker, skip, wait_for

CAL = BusinessCalendar(CALENDAR)
SIGN_OFF = names.OBLIGATION_MARK_REVIEWED


async def _breaches(sessions, subject) -> list[tuple[str, int]]:
    async with sessions() as s:
        rows = await s.scalars(select(Breach).where(Breach.case_id == subject))
        return [(b.step, b.level) for b in rows]


def _escalations(inbox, who: str) -> list[str]:
    subjects = [" ".join(m["Subject"].split()) for m in inbox.to(email(who))]
    return [s for s in subjects if s.startswith("Overdue, ")]


async def _generated(handle) -> ReviewSummary | None:
    summary = await handle.query(names.QUERY_STATE, result_type=ReviewSummary)
    return summary if summary.generated_at is not None else None


async def _sign_off(sessions, rid) -> tuple[object, bool] | None:
    """The sign-off deadline and back-run flag stored on the review's row, once stored."""
    async with sessions() as s:
        review = await s.get(Review, rid)
        if review is None or review.sign_off_due_at is None:
            return None
        return review.sign_off_due_at, review.back_run


async def test_a_scheduled_run_delayed_past_its_deadline_is_not_a_back_run(
    own_env, sqlite_url, sessions_for, smtp_server
):
    """The schedule's run, delayed by an outage to 14:00, is no back-run although it was generated
    after its 09:30 sign-off deadline: the review's row stores 09:30 (My work and the evidence
    pack read it; they used to guess a back-run from the generation time)."""
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    day = await next_working_day(own_env)
    await skip(own_env, CAL.wall(day, time(14)).astimezone(UTC) - await own_env.get_current_time(),
               step=timedelta(days=1))  # fmt: skip
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        rid = review_id(names.EXAMPLE_ACKNOWLEDGMENT, day.isoformat())
        inp = ReviewInput(
            review_id=rid,
            example=names.EXAMPLE_ACKNOWLEDGMENT,
            period=day.isoformat(),
            calendar=CALENDAR,
            policy_version="ack-policy-v1",
        )
        review = await own_env.client.start_workflow(names.WF_REVIEW, inp, id=rid, task_queue=queue)
        due = CAL.wall(day, time(9, 30)).astimezone(UTC)
        assert await wait_for(lambda: _sign_off(sessions, rid), within=40) == (due, False)
        await review.terminate()


async def test_a_back_run_asked_after_its_deadline_records_no_generation_breach(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    day = await next_working_day(own_env)
    generation_due = CAL.wall(day, time(7, 30)).astimezone(UTC)
    # Asked for at 14:00: past the 07:30 generation deadline and the 09:30 sign-off deadline.
    asked = CAL.wall(day, time(14)).astimezone(UTC)
    await skip(own_env, asked - await own_env.get_current_time(), step=timedelta(days=1))
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        rid = review_id(names.EXAMPLE_ACKNOWLEDGMENT, day.isoformat())
        review = await own_env.client.start_workflow(
            names.WF_REVIEW,
            ReviewInput(
                review_id=rid,
                example=names.EXAMPLE_ACKNOWLEDGMENT,
                period=day.isoformat(),
                calendar=CALENDAR,
                policy_version="ack-policy-v1",
                requested=True,  # the analyst asked for it (API or CLI), not the schedule
            ),
            id=rid,
            task_queue=queue,
        )
        summary = await wait_for(lambda: _generated(review))
        assert summary.generated_at > generation_due  # recorded truthfully: late
        assert summary.generation_deadline_passed_before_request
        await asyncio.sleep(3)  # give a wrong escalation time to show
        assert await _breaches(sessions, rid) == []
        assert _escalations(inbox, "E-ANALYST") == _escalations(inbox, "E-DIRECTOR") == []
        close = CAL.wall(day, CALENDAR.working_day_end).astimezone(UTC)
        assert await wait_for(lambda: _sign_off(sessions, rid)) == (close, True)
        told = [" ".join(m["Subject"].split()) for m in inbox.to(email("E-ANALYST"))]
        assert told == [f"This is now yours: Mark the review reviewed ({about(rid)})"], told

        # The sign-off is still owed: due by close of business of the day it was generated.
        await skip(own_env, close - await own_env.get_current_time() - timedelta(minutes=1))
        assert await _breaches(sessions, rid) == []
        await skip(own_env, timedelta(minutes=2))

        async def signed_off_breach():
            rows = await _breaches(sessions, rid)
            return rows or None

        assert await wait_for(signed_off_breach) == [(SIGN_OFF, 1)]
        assert GENERATE_REVIEW not in {step for step, _ in await _breaches(sessions, rid)}
        await review.terminate()
