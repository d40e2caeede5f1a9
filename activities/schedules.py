"""Activity fired by schedules: start a review or pack workflow by business key (idempotent)."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.deps import ActivityDeps
from domain import names
from domain.periodic import StartRequest
from infra.starters import start_pack, start_review


class ScheduleActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    @activity.defn(name=names.ACT_START_GOVERNANCE)
    async def start_governance_workflow(self, request: StartRequest) -> str:
        """Start (or find) the workflow; returns its ID."""
        if self.deps.client is None:
            raise ApplicationError("no Temporal client configured", non_retryable=True)
        if request.target == "pack":
            handle = await start_pack(
                self.deps.client, self.deps.task_queue, request.name, request.period
            )
        else:
            handle = await start_review(
                self.deps.client,
                self.deps.task_queue,
                request.name,
                request.period,
                request.calendar,
                request.policy_version,
            )
        return handle.id
