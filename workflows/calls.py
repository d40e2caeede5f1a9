"""How workflows call activities: retry policies and timeouts, the calendar's deadlines, mail
delivery, and typed database calls (``run_db(ACT_NAME, request, ResultModel) -> ResultModel``).

Workflows call activities by the name constants in ``domain/`` with their input and result
models, never by importing ``activities/`` (DESIGN.md's layer contract).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar, overload

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.calendar import CalendarConfig, DeadlineResult
    from domain.cases import DeadlineRequest

ResultT = TypeVar("ResultT")

# Database work retries until it succeeds (a DB outage delays, never loses, a transition).
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
DB_TIMEOUT = timedelta(seconds=60)
# A short write made inside the workflow task (a local activity): one attempt may take this long.
DB_LOCAL_TIMEOUT = timedelta(seconds=10)
DB_LOCAL_GIVE_UP = timedelta(seconds=30)
CALENDAR_TIMEOUT = timedelta(seconds=10)
# Valuing a review's items for the analytics (about 41 us an item: a 1M review ~1 min of CPU,
# more under load) heartbeats every chunk; a few attempts, then the first read values it.
VALUES_TIMEOUT = timedelta(minutes=30)
VALUES_HEARTBEAT = timedelta(minutes=2)
VALUES_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=1), maximum_attempts=5
)
# Mail delivery retries until the server takes the message (backing off to every 10 minutes).
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=10)
)
MAIL_TIMEOUT = timedelta(minutes=2)


async def compute_deadline(calendar: CalendarConfig, rule: str, start: datetime) -> DeadlineResult:
    """Ask the calendar (a local activity) for the deadline of RULE counted from START."""
    result: DeadlineResult = await workflow.execute_local_activity(
        names.ACT_COMPUTE_DEADLINE,
        DeadlineRequest(calendar=calendar, rule=rule, start=start),
        result_type=DeadlineResult,
        start_to_close_timeout=CALENDAR_TIMEOUT,
    )
    return result


def deliver(message_ids: list[int]) -> workflow.ActivityHandle[int] | None:
    """Start delivering queued mails without blocking the caller's timers."""
    if not message_ids:
        return None
    return workflow.start_activity(
        names.ACT_DELIVER_NOTIFICATIONS,
        message_ids,
        result_type=int,
        start_to_close_timeout=MAIL_TIMEOUT,
        retry_policy=MAIL_RETRY,
    )


async def deliver_now(message_ids: list[int], what: str) -> None:
    """Deliver queued mails before going on (three attempts): for a workflow that ends or sleeps
    next, where a started delivery would be left behind. What is not sent stays in the outbox."""
    if not message_ids:
        return
    try:
        await workflow.execute_activity(
            names.ACT_DELIVER_NOTIFICATIONS,
            message_ids,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
    except ActivityError:
        workflow.logger.warning("%s not delivered yet; the outbox keeps it", what)


@overload
async def run_db(activity: str, arg: object) -> None: ...
@overload
async def run_db(activity: str, arg: object, result_type: type[ResultT]) -> ResultT: ...
async def run_db(activity: str, arg: object, result_type: type[Any] | None = None) -> Any:
    """Execute a database activity with the standard timeout and retry policy; its result is
    decoded as RESULT_TYPE (the activity's declared result model), or ignored without one."""
    return await _run_db(activity, arg, result_type)


async def _run_db(activity: str, arg: object, result_type: type[Any] | None) -> Any:
    return await workflow.execute_activity(
        activity,
        arg,
        result_type=result_type,
        start_to_close_timeout=DB_TIMEOUT,
        retry_policy=DB_RETRY,
    )


async def run_db_local(activity: str, arg: object, result_type: type[ResultT]) -> ResultT:
    """A short, idempotent database write as a local activity; ``run_db`` if it cannot finish.

    It runs inside the workflow task, so no activity task and no second workflow task stand
    between an Update and its answer; a worker crash re-runs it (the write finds itself). Local
    retries extend the workflow task and add to the history, so after DB_LOCAL_GIVE_UP (the
    database down, say) the same write goes to an ordinary activity, retried by the server.
    """
    try:
        result: ResultT = await workflow.execute_local_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=DB_LOCAL_TIMEOUT,
            schedule_to_close_timeout=DB_LOCAL_GIVE_UP,
            retry_policy=DB_RETRY,
        )
        return result
    except (ActivityError, ApplicationError, TemporalTimeoutError):
        # A local activity's failure arrives unwrapped (not as an ActivityError); a workflow's
        # cancellation (CancelledError) is not caught.
        found: ResultT = await _run_db(activity, arg, result_type)
        return found
