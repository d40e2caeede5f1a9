"""Opening a step with computed values: one activity writes the stage, queues its mails,
computes the values and sends the mails (instead of three activities, each a workflow task)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
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
        undelivered: list[int] = []
        if ids:
            try:
                await self.cases.deliver_notifications(ids)
            except Exception:  # noqa: BLE001 - retried by its own activity, not with the values
                undelivered = ids
        return OpenStepResult(values=values, undelivered=undelivered)
