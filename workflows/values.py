"""A step's computed values, fetched beside its running deadline: first with the step's opening
(one activity: the stage's projection, its mails and the values), retried a few times; then, the
administrators alerted with the cause, the values alone, retried with capped backoff forever."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.alerts import AlertResult, ValuesAlert
    from domain.step_opening import OpenStepRequest, OpenStepResult
    from domain.steps import StepSpec

from workflows.calls import DB_RETRY, DB_TIMEOUT, run_db

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

    def shaped(self, result: Any) -> dict[str, Any]:
        """The step's values from the activity's RESULT (decoded as its result type)."""
        if self.shape is not None:
            return self.shape(result)
        dumped: dict[str, Any] = result if isinstance(result, dict) else result.model_dump()
        return dumped

    def decoded(self, raw: Any) -> dict[str, Any]:
        """The step's values from the activity's result as JSON (the opening's result)."""
        kind = self.result_type
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return self.shaped(kind.model_validate(raw))
        return self.shaped(raw)


async def open_with_values(request: OpenStepRequest) -> OpenStepResult | str:
    """The opening activity's result, or the cause once its first attempts have all failed."""
    try:
        result: OpenStepResult = await workflow.execute_activity(
            names.ACT_OPEN_STEP,
            request,
            result_type=OpenStepResult,
            start_to_close_timeout=DB_TIMEOUT,
            retry_policy=FIRST_ATTEMPTS,
        )
    except ActivityError as exc:
        return str(exc.cause or exc)
    return result


async def values_retried(values: Values) -> dict[str, Any]:
    """The values alone, retried until they arrive (after the opening failed and alerted)."""
    result = await workflow.execute_activity(
        values.activity,
        values.arg,
        result_type=values.result_type,
        start_to_close_timeout=DB_TIMEOUT,
        retry_policy=DB_RETRY,
    )
    return values.shaped(result)


async def alert_failing(case_id: str, spec: StepSpec, cause: str) -> AlertResult:
    """Tell the administrators that the values of SPEC keep failing, and why (mails queued)."""
    request = ValuesAlert(
        case_id=case_id,
        step=spec.slug,
        title=spec.title,
        attempts=ALERT_AFTER_ATTEMPTS,
        cause=cause,
        at=workflow.now(),
    )
    return await run_db(names.ACT_ALERT_VALUES, request, AlertResult)
