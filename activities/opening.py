"""Opening a step with computed values: one activity writes the stage, queues its mails,
computes the values and sends the mails (instead of three activities, each a workflow task)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, get_type_hints

from pydantic import BaseModel
from temporalio import activity

from activities.cases import CaseActivities
from activities.deps import ActivityDeps
from domain import names
from domain.step_opening import OpenStepRequest, OpenStepResult
from store import cases as case_store
from store.db import transaction

ValuesActivity = Callable[[Any], Awaitable[Any]]
DEFAULT_ATTEMPT = timedelta(seconds=60)  # the attempt's time when Temporal gives none


def _argument(compute: ValuesActivity, raw: Any) -> Any:
    """RAW (JSON) as the values activity's declared argument type."""
    [param] = inspect.signature(compute).parameters.values()
    kind = get_type_hints(compute)[param.name]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind.model_validate(raw)
    return raw


class StepOpening:
    """The opening activity, with the values activities it may run (by activity name)."""

    def __init__(
        self, deps: ActivityDeps, cases: CaseActivities, values: dict[str, ValuesActivity]
    ) -> None:
        self.deps = deps
        self.cases = cases
        self.values = values

    @activity.defn(name=names.ACT_OPEN_STEP)
    async def open_step(self, request: OpenStepRequest) -> OpenStepResult:
        """The stage's projection, its "this is now yours" mails and the step's values in one
        transaction, then the mails sent (a mail the server refuses is left to its own activity).

        Retry-safe: the workflow holds its other projections back until this one returns, so a
        retry writes the same state again; mails are queued once per obligation and person.
        """
        compute = self.values[request.values_activity]
        # The mails get a third of the attempt's time: a mail server that hangs must not time the
        # opening out (it would be retried, then the administrators told the values fail).
        timeout = activity.info().start_to_close_timeout or DEFAULT_ATTEMPT
        until = time.monotonic() + timeout.total_seconds() / 3
        async with transaction(self.deps.sessions) as session:
            await case_store.upsert_projection(session, request.projection)
            ids = [
                message
                for notice in request.notices
                for message in await self.cases.queue_opened(session, notice)
            ]
            with self.deps.sharing(session):  # the values read in this same transaction
                found = await compute(_argument(compute, request.values_arg))
        values = found.model_dump(mode="json") if isinstance(found, BaseModel) else found
        left = 0
        if ids:
            try:
                _, left = await self.cases.send_queued(ids, until)
            except Exception:  # noqa: BLE001 - retried by its own activity, not with the values
                left = len(ids)
        return OpenStepResult(values=values, undelivered=ids if left else [])
