"""What a Temporal schedule fires: start the day's review or the week's pack by business key.

Schedules append a timestamp to the workflow IDs they start; going through this small workflow
keeps review and pack IDs derived from the business key (``ack-review-2026-11-26``), so a
schedule firing and a manual run never duplicate each other.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.cases import ScheduledStart, StartRequest

from workflows.engine import compute_deadline


@workflow.defn(name=names.WF_SCHEDULED_START)
class ScheduledStartWorkflow:
    """Start the review (ISO date) or weekly pack (ISO week) for the provider's local date."""

    @workflow.run
    async def run(self, fire: ScheduledStart) -> str:
        local = await compute_deadline(fire.calendar, "0 calendar days", workflow.now())
        day = local.due_local.date()
        if fire.target == "pack":
            year, week, _ = day.isocalendar()
            period = f"{year}-W{week:02d}"
        else:
            period = day.isoformat()
        await workflow.execute_activity(
            names.ACT_START_GOVERNANCE,
            StartRequest(
                target=fire.target,
                name=fire.name,
                period=period,
                calendar=fire.calendar,
                policy_version=fire.policy_version,
            ),
            start_to_close_timeout=timedelta(seconds=30),
        )
        return period
