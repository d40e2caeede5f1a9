"""Worker interceptor binding workflow ID, case ID and step to every line an activity logs,
and logging each activity's outcome (type, attempt, duration; never its arguments)."""

from __future__ import annotations

import logging
import time
from typing import Any

import structlog
from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

_log = logging.getLogger("nearmiss.activity")
_STEP_FIELDS = ("step", "obligation")


def _step(args: Any) -> str | None:
    """The step an activity acts for, when its input names one (a code, never free text): a
    ``step`` or ``obligation`` field, or the kind of the register entry a step records."""
    for arg in args:
        for name in _STEP_FIELDS:
            value = getattr(arg, name, None)
            if isinstance(value, str):
                return value
        kind = getattr(getattr(arg, "entry", None), "kind", None)
        if isinstance(kind, str):
            return kind.replace("_", "-")  # the step's slug, as routes and metrics name it
    return None


class _Inbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        fields: dict[str, Any] = {"workflow_id": info.workflow_id}
        if info.workflow_id and "-case-" in info.workflow_id:
            fields["case_id"] = info.workflow_id
        if (step := _step(input.args)) is not None:
            fields["step"] = step
        started = time.perf_counter()
        outcome = "failed"
        with structlog.contextvars.bound_contextvars(**fields):
            try:
                result = await super().execute_activity(input)
                outcome = "completed"
                return result
            finally:
                _log.info(
                    "activity",
                    extra={
                        "activity_type": info.activity_type,
                        "attempt": info.attempt,
                        "outcome": outcome,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )


class LogContextInterceptor(Interceptor):
    """Adds the log context to every activity the worker runs."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next)
