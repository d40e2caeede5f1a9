"""A step's computed values, fetched beside its running deadline: retried with capped backoff
forever, the administrators alerted (with the cause) after a few failed attempts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.calls import DB_RETRY, DB_TIMEOUT

ALERT_AFTER_ATTEMPTS = 5
# The first attempts, until the alert (about 15 s); then DB_RETRY, capped at a minute, forever.
FIRST_ATTEMPTS = RetryPolicy(
    initial_interval=DB_RETRY.initial_interval,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=ALERT_AFTER_ATTEMPTS,
)


@dataclass(frozen=True)
class Values:
    """Which activity computes a step's values, its argument, and how its result becomes them."""

    activity: str
    arg: Any
    result_type: type = dict
    shape: Callable[[Any], dict[str, Any]] | None = None


async def fetch_values(values: Values, alert: Callable[[str], Awaitable[None]]) -> dict[str, Any]:
    """The values; calls ALERT with the cause once the first attempts have all failed."""
    try:
        result = await workflow.execute_activity(
            values.activity,
            values.arg,
            result_type=values.result_type,
            start_to_close_timeout=DB_TIMEOUT,
            retry_policy=FIRST_ATTEMPTS,
        )
    except ActivityError as exc:
        await alert(str(exc.cause or exc))
        result = await workflow.execute_activity(
            values.activity,
            values.arg,
            result_type=values.result_type,
            start_to_close_timeout=DB_TIMEOUT,
            retry_policy=DB_RETRY,
        )
    if values.shape is not None:
        return values.shape(result)
    dumped: dict[str, Any] = result if isinstance(result, dict) else result.model_dump()
    return dumped
