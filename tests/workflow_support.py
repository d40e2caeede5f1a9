"""Helpers for workflow tests: a worker on real activities, actors, polling, update failures."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.deps import ActivityDeps
from domain import names
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.cases import ActionDone, Actor, CaseState, StepSubmission
from domain.periodic import ReviewInput, ReviewSummary
from domain.reviews import review_id
from infra.mail import MailSettings
from tests.bounds_support import sleep_within, worker_running
from tests.factories import STAFF
from tests.fixtures.mail import Inbox, free_port
from worker.registry import make_worker

CALENDAR = CalendarConfig()
LONDON = BusinessCalendar(CALENDAR)


def actor(employee_id: str) -> Actor:
    return Actor(employee_id=employee_id, roles=list(STAFF.get(employee_id, [])))


@asynccontextmanager
async def running_worker(
    env: WorkflowEnvironment,
    sessions: async_sessionmaker[AsyncSession],
    *,
    smtp_port: int | None = None,
    task_queue: str | None = None,
) -> AsyncIterator[str]:
    """Run a worker with the real activities against the test database; yields its task queue.

    Without ``smtp_port`` the worker mails a real SMTP sink of its own on loopback (workflows
    finish only once their mails are delivered)."""
    queue = task_queue or f"tq-{uuid.uuid4().hex}"
    sink = None
    if smtp_port is None:
        smtp_port = free_port()
        sink = Controller(Inbox(), hostname="127.0.0.1", port=smtp_port)
        sink.start()
    deps = ActivityDeps(
        sessions=sessions,
        client=env.client,
        task_queue=queue,
        mail=MailSettings(port=smtp_port, timeout_seconds=2),
    )
    try:
        async with worker_running(make_worker(env.client, deps, queue), queue):
            yield queue
    finally:
        if sink is not None:
            sink.stop()


async def next_working_day(env: WorkflowEnvironment) -> date:
    """The first working day after the test server's current date (London)."""
    now = await env.get_current_time()
    return BusinessCalendar(CALENDAR).next_working_day(now.date())


def local_as_of(day: date) -> datetime:
    return BusinessCalendar(CALENDAR).wall(day, time(7)).astimezone(UTC)


async def start_review(client: Client, queue: str, day: date) -> WorkflowHandle[Any, Any]:
    rid = review_id(names.EXAMPLE_ACKNOWLEDGMENT, day.isoformat())
    inp = ReviewInput(
        review_id=rid,
        example=names.EXAMPLE_ACKNOWLEDGMENT,
        period=day.isoformat(),
        calendar=CALENDAR,
        policy_version="ack-policy-v1",
    )
    return await client.start_workflow(
        names.WF_REVIEW, inp, id=rid, task_queue=queue, result_type=ReviewSummary
    )


async def skip(
    env: WorkflowEnvironment, total: timedelta, step: timedelta = timedelta(hours=2)
) -> None:
    """Skip server time in steps (one long skip can outlast the RPC timeout)."""
    remaining = total
    while remaining > timedelta(0):
        chunk = min(step, remaining)
        await sleep_within(env, chunk)
        remaining -= chunk


async def skip_until(
    env: WorkflowEnvironment, instant: datetime, step: timedelta = timedelta(hours=2)
) -> None:
    """Skip server time up to INSTANT (the server clock only moves forward)."""
    now = await env.get_current_time()
    assert instant > now, "the server clock only moves forward"
    await skip(env, instant - now, step)


async def skip_to(env: WorkflowEnvironment, day: date, at: time) -> datetime:
    """Move the server's clock forward to DAY at local time AT; returns that instant (UTC)."""
    target = LONDON.wall(day, at).astimezone(UTC)
    await skip_until(env, target, step=timedelta(days=1))
    return target


async def local_today(env: WorkflowEnvironment) -> date:
    """The server clock's date in London."""
    return LONDON.local(await env.get_current_time()).date()


async def wait_for(check: Callable[[], Any], *, within: float = 20.0) -> Any:
    """Poll an async check until it returns a truthy value (real time, small steps). Fails
    WITHIN seconds on naming the check, also when a check is itself still waiting by then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        scope = asyncio.timeout_at(deadline + min(within, 5.0))
        try:
            async with scope:
                value = await check()
        except TimeoutError:
            if not scope.expired():
                raise
            raise AssertionError(f"{_named(check)} still waiting after {within} s") from None
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not reached in time ({within} s): {_named(check)}")
        await asyncio.sleep(0.05)


def _named(check: Callable[[], Any]) -> str:
    code = getattr(check, "__code__", None)
    where = f" ({code.co_filename}:{code.co_firstlineno})" if code else ""
    return f"the check {getattr(check, '__qualname__', check)!s}{where}"


async def holds(value: Any) -> Any:
    """VALUE, awaited: ``wait_for(lambda: holds(len(inbox.to(who)) >= 1))`` for a plain check."""
    return value


async def review_generated(review: WorkflowHandle[Any, Any]) -> bool:
    """Whether the review workflow has generated its review (its as_of is set)."""
    summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
    return summary.as_of is not None


async def case_state(handle: WorkflowHandle[Any, Any]) -> CaseState:
    return await handle.query(names.QUERY_STATE, result_type=CaseState)


async def wait_stage(handle: WorkflowHandle[Any, Any], stage: str) -> CaseState:
    """The case state once at STAGE (a step's computed values fetched, for a step's stage)."""

    async def check() -> CaseState | None:
        try:
            state = await case_state(handle)
        except Exception:  # noqa: BLE001 - not started yet
            return None
        if state.stage != stage:
            return None
        return None if state.current_step == stage and stage not in state.computed else state

    result: CaseState = await wait_for(check)
    return result


async def submit(
    handle: WorkflowHandle[Any, Any],
    step: str,
    who: str,
    fields: dict[str, Any],
    update_id: str | None = None,
) -> Any:
    return await handle.execute_update(
        names.UPDATE_SUBMIT_STEP,
        StepSubmission(step=step, actor=actor(who), fields=fields),
        id=update_id,
        rpc_timeout=timedelta(seconds=30),
    )


async def rejection(call: Any) -> ApplicationError:
    """Await an update expected to be rejected; return its typed ApplicationError."""
    try:
        await call
    except WorkflowUpdateFailedError as exc:
        assert isinstance(exc.cause, ApplicationError), exc.cause
        return exc.cause
    raise AssertionError("update was accepted")


async def generated_skipping(env: WorkflowEnvironment, review: WorkflowHandle[Any, Any]) -> Any:
    """The review's summary once generated, skipping server time (up to 8 h) toward its as-of
    instant when the test runs before it (a run day's 07:00 London, between 00:00 and 07:00)."""
    for _ in range(17):
        summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
        if summary.as_of is not None:
            return summary
        await asyncio.sleep(0.2)
        summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
        if summary.as_of is not None:
            return summary
        await sleep_within(env, timedelta(minutes=30))
    await wait_for(lambda: review_generated(review))
    return await review.query(names.QUERY_STATE, result_type=ReviewSummary)


async def skip_to_as_of(env: WorkflowEnvironment, day: date) -> None:
    """Move the test server's clock to DAY's 07:00 London (a review may start from then on)."""
    target = local_as_of(day) + timedelta(seconds=1)
    now = await env.get_current_time()
    if now < target:
        await skip(env, target - now, step=timedelta(days=1))


def latest_started_day(now: datetime) -> date:
    """The latest working day whose review's as-of (07:00 London) is not after NOW (real time)."""
    calendar = BusinessCalendar(CALENDAR)
    day = calendar.local(now).date()
    while not calendar.is_working_day(day) or local_as_of(day) > now:
        day -= timedelta(days=1)
    return day


def working_day_after(day: date, n: int = 1) -> date:
    """The Nth working day after DAY (London's calendar)."""
    for _ in range(n):
        day = LONDON.next_working_day(day)
    return day


async def complete_actions(case: Any, actions: list[str], who: str = "E-OWNER") -> None:
    """WHO (the pathway's owner) completes the pathway's ACTIONS."""
    for action in actions:
        await case.execute_update(
            names.UPDATE_COMPLETE_ACTION,
            ActionDone(action=action, actor=actor(who)),
            rpc_timeout=timedelta(seconds=30),
        )


def eve_of_bank_holiday(after: date, also: Callable[[date], bool] = lambda day: True) -> date:
    """The first working day after AFTER followed by a weekday bank holiday (and ALSO true)."""
    day = after + timedelta(days=1)
    while True:
        following = day + timedelta(days=1)
        if (
            LONDON.is_working_day(day)
            and following.weekday() < 5
            and not LONDON.is_working_day(following)
            and also(day)
        ):
            return day
        day += timedelta(days=1)
