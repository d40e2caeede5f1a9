"""A review must exist by its generation deadline (example 1: "every business day by 7:30 a.m.").

Time-skipping: the run is missed (no schedule fire, a worker outage) and started after the
deadline. The review records when it was really generated; the lateness is a breach escalated
like any step's (the step-1 role, then the example's director), and it is resolved once the
review exists.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from domain import names
from domain.calendar import BusinessCalendar, compute_deadline
from domain.credibility import WORKSPACE, next_month
from domain.learning_cycles import cycle_end, cycle_start_containing
from domain.periodic import MarkReviewed, ReviewInput, ReviewSummary
from domain.reviews import GENERATE_REVIEW, review_id
from domain.roles import Role
from store.tables import Breach, RegisterEntry, Review
from tests.factories import email, load, staff_rows
from tests.workflow_support import (
    CALENDAR,
    actor,
    next_working_day,
    running_worker,
    skip,
    start_review,
    wait_for,
)

CAL = BusinessCalendar(CALENDAR)
ANALYSTS = {
    "E-WXANALYST": [Role.WORKFORCE_EXPERIENCE_REPORTING_ANALYST],
    "E-AUDITOR": [Role.LEARNING_VISIBILITY_AUDITOR],
}


async def _breaches(sessions, subject):
    async with sessions() as s:
        rows = await s.scalars(
            select(Breach).where(Breach.case_id == subject, Breach.step == GENERATE_REVIEW)
        )
        return [(b.level, b.deadline, b.resolved_at) for b in rows]


async def _summary(handle) -> ReviewSummary | None:
    summary = await handle.query(names.QUERY_STATE, result_type=ReviewSummary)
    return summary if summary.generated_at is not None else None


async def _late(env, sessions, start, smtp, deadline, skip_to, mailed):
    """The review's run was missed (the schedule did not fire, the worker was down): it is
    started at SKIP_TO, after its generation deadline. Returns the summary and the breaches
    once the escalation mails to MAILED (employee IDs) are delivered."""
    inbox, port = smtp
    await skip(env, skip_to - await env.get_current_time(), step=timedelta(days=1))
    queue = _queue()
    async with running_worker(env, sessions, smtp_port=port, task_queue=queue):
        handle = await start(queue)
        summary = await wait_for(lambda: _summary(handle))
        breaches = await wait_for(lambda: _resolved(sessions, handle.id), within=30)
        # Mails are delivered by the worker: wait for them before it stops (a delivery still
        # running when the worker stops is cancelled, and never retried once terminated).
        for employee_id in mailed:
            await wait_for(lambda who=employee_id: _mailed(inbox, who), within=40)
        await handle.terminate()  # the mark-reviewed step is not under test here
    assert summary.generated_at >= skip_to and summary.generated_at > deadline
    async with sessions() as s:
        review = await s.get(Review, handle.id)
        assert review.generated_at == summary.generated_at != review.as_of
    return handle, summary, breaches


async def _reached(sessions, subject, level):
    rows = await _breaches(sessions, subject)
    return rows if rows and max(r[0] for r in rows) >= level else None


async def _resolved(sessions, subject):
    rows = await _breaches(sessions, subject)
    return rows if rows and all(r[2] is not None for r in rows) else None


async def test_daily_review_late_by_0730_escalates_to_analyst_then_director(
    own_env, sqlite_url, sessions_for, smtp_server
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    day = await next_working_day(own_env)
    deadline = CAL.wall(day, time(7, 30)).astimezone(UTC)
    second = compute_deadline(CALENDAR, "4 working hours", deadline).due_at  # 13:00
    handle, summary, breaches = await _late(
        own_env,
        sessions,
        lambda queue: start_review(own_env.client, queue, day),
        smtp_server,
        deadline,
        second + timedelta(minutes=5),
        mailed=["E-ANALYST", "E-DIRECTOR"],
    )
    # Behind schedule it escalates once, at the level now due: 2 (analyst + director).
    assert [(lvl, due) for lvl, due, _ in breaches] == [(2, deadline)]
    assert all(resolved == summary.generated_at for _, _, resolved in breaches)
    async with sessions() as s:
        entry = await s.scalar(
            select(RegisterEntry).where(
                RegisterEntry.subject == handle.id, RegisterEntry.kind == "review_generated"
            )
        )
    assert entry.recorded_at == summary.generated_at
    assert entry.payload["generated_at"] == summary.generated_at.isoformat()


async def test_daily_review_an_hour_late_is_a_level_one_breach(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, _ = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    day = await next_working_day(own_env)
    deadline = CAL.wall(day, time(7, 30)).astimezone(UTC)
    _, _, breaches = await _late(
        own_env,
        sessions,
        lambda queue: start_review(own_env.client, queue, day),
        smtp_server,
        deadline,
        deadline + timedelta(hours=1),
        mailed=["E-ANALYST"],
    )
    assert [(lvl, due) for lvl, due, _ in breaches] == [(1, deadline)]
    assert not inbox.to(email("E-DIRECTOR"))


async def test_monthly_review_not_generated_by_the_fifth_working_day_is_a_breach(
    own_env, sqlite_url, sessions_for, smtp_server
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows(ANALYSTS))
    local = CAL.local(await own_env.get_current_time())
    period = f"{local.year:04d}-{local.month:02d}"
    following = next_month(local.date().replace(day=1))
    anchor = datetime.combine(following, time(12), tzinfo=UTC)
    deadline = CAL.nth_working_day_of_month(anchor, 5).astimezone(UTC)
    handle, _, breaches = await _late(
        own_env,
        sessions,
        lambda queue: _start(own_env, names.EXAMPLE_CREDIBILITY, period, queue),
        smtp_server,
        deadline,
        deadline + timedelta(minutes=5),
        mailed=["E-WXANALYST"],
    )
    assert [(lvl, due) for lvl, due, _ in breaches] == [(1, deadline)]
    async with sessions() as s:
        kinds = await s.scalars(
            select(RegisterEntry.kind).where(
                RegisterEntry.register == WORKSPACE, RegisterEntry.subject == handle.id
            )
        )
        assert list(kinds) == ["review_generated"]  # stored in its workspace when generated


async def test_fortnightly_audit_not_generated_on_its_run_day_is_a_breach(
    own_env, sqlite_url, sessions_for, smtp_server
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows(ANALYSTS))
    today = CAL.local(await own_env.get_current_time()).date()
    start = cycle_start_containing(today)
    run_day = cycle_end(start)
    while not CAL.is_working_day(run_day):
        run_day += timedelta(days=1)
    deadline = CAL.wall(run_day, time(17)).astimezone(UTC)
    _, _, breaches = await _late(
        own_env,
        sessions,
        lambda queue: _start(own_env, names.EXAMPLE_LEARNING, start.isoformat(), queue),
        smtp_server,
        deadline,
        deadline + timedelta(minutes=5),
        mailed=["E-AUDITOR"],
    )
    assert [(lvl, due) for lvl, due, _ in breaches] == [(1, deadline)]


def _queue() -> str:
    return f"tq-{uuid.uuid4().hex}"


async def _start(env, example, period, queue):
    rid = review_id(example, period)
    inp = ReviewInput(
        review_id=rid, example=example, period=period, calendar=CALENDAR, policy_version=""
    )
    return await env.client.start_workflow(
        names.WF_REVIEW, inp, id=rid, task_queue=queue, result_type=ReviewSummary
    )


async def _mailed(inbox, employee_id):
    await asyncio.sleep(0)
    return bool(inbox.to(email(employee_id)))


async def test_a_late_review_can_be_marked_the_moment_it_shows_as_generated(
    own_env, sqlite_url, sessions_for, smtp_server
):
    """Regression: a late review is generated, then settles its generation breach before its
    sign-off obligation opens; a mark sent in that window was refused with WrongStage although
    the review already showed as generated. It must be applied."""
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    day = await next_working_day(own_env)
    deadline = CAL.wall(day, time(7, 30)).astimezone(UTC)
    await skip(own_env, deadline + timedelta(hours=1) - await own_env.get_current_time())
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        handle = await start_review(own_env.client, queue, day)
        await wait_for(lambda: _summary(handle), within=40)
        marked = await handle.execute_update(
            names.UPDATE_MARK_REVIEWED,
            MarkReviewed(actor=actor("E-ANALYST")),
            result_type=ReviewSummary,
            rpc_timeout=timedelta(seconds=30),
        )
        assert marked.reviewed_by == "E-ANALYST"
        result = await asyncio.wait_for(handle.result(), 60)
        assert result.reviewed_by == "E-ANALYST"
