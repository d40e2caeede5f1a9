"""Bench workflows and activities: an obligation escalating at an absolute deadline through
``workflows.engine.Obligations`` (the real engine), and a bare sleep-then-activity baseline.

The activities record lateness (seconds after the deadline they start) in ``LATENESS``: they run
in the benchmark's own process.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.calendar import CalendarConfig
    from domain.cases import EscalationRequest, EscalationResult, TimelineEvent
    from workflows.engine import Obligations

LATENESS: dict[str, dict[str, float]] = {"engine": {}, "bare": {}}


@activity.defn(name=names.ACT_ESCALATE)
async def record_escalation(request: EscalationRequest) -> EscalationResult:
    """Stands in for the escalation activity: records how late it started."""
    LATENESS["engine"][request.case_id] = time.time() - request.at.timestamp()
    return EscalationResult(breach_recorded=True)


@activity.defn(name="bench_empty")
async def record_bare(deadline: datetime) -> None:
    """The bare baseline's only activity: records how late it started."""
    LATENESS["bare"][activity.info().workflow_id] = time.time() - deadline.timestamp()


@workflow.defn(name="BenchEscalationWorkflow")
class BenchEscalationWorkflow:
    """Open one obligation due at ``deadline``; end after its first escalation."""

    @workflow.run
    async def run(self, deadline: datetime) -> None:
        escalated = False

        async def on_change(event: TimelineEvent) -> None:
            nonlocal escalated
            escalated = escalated or event.kind == "escalated"

        obligations = Obligations(
            subject=workflow.info().workflow_id,
            example="bench",
            calendar=CalendarConfig(),
            store={},
            on_change=on_change,
        )
        await obligations.open_at("step", "bench", deadline=deadline, rule="bench", version="b")
        watcher = asyncio.ensure_future(obligations.watch("step"))
        await workflow.wait_condition(lambda: escalated)
        obligations.complete("step", "bench")
        await watcher


@workflow.defn(name="BenchBareWorkflow")
class BenchBareWorkflow:
    """Sleep until ``deadline``, then run one empty activity."""

    @workflow.run
    async def run(self, deadline: datetime) -> None:
        await workflow.sleep(max(0.0, (deadline - workflow.now()).total_seconds()))
        await workflow.execute_activity(
            record_bare, deadline, start_to_close_timeout=timedelta(seconds=60)
        )
