"""The baseline of the step benchmark: one validated Update that runs one activity.

Its own module so the workflow sandbox imports nothing but temporalio (see bench/steps.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import activity, workflow


@activity.defn(name="bench_noop")
async def noop() -> None:
    """The baseline's one activity (ours writes a register entry in one)."""


@workflow.defn(name="BenchStepWorkflow")
class BenchStepWorkflow:
    """A minimal workflow with one validated Update that runs one activity."""

    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.done)

    @workflow.update
    async def submit(self, fields: dict[str, Any]) -> bool:
        await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))
        self.done = bool(fields)
        return True

    @submit.validator
    def check(self, fields: dict[str, Any]) -> None:
        if "note" not in fields:
            raise ValueError("note required")
