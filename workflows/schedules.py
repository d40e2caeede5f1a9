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
    from domain.credibility import previous_month
    from domain.learning import DEFAULT_ANCHOR
    from domain.learning_cycles import RUN_DAY_RULE, last_cycle_ended_on_or_before, run_day_probe
    from domain.periodic import ScheduledStart, StartRequest

from workflows.calls import compute_deadline


@workflow.defn(name=names.WF_SCHEDULED_START)
class ScheduledStartWorkflow:
    """Start the review (ISO date) or weekly pack (ISO week) for the provider's local date."""

    @workflow.run
    async def run(self, fire: ScheduledStart) -> str:
        local = await compute_deadline(fire.calendar, "0 calendar days", workflow.now())
        day = local.due_local.date()
        if fire.target == "pack" and fire.name == names.PACK_MONTHLY:
            period = day.strftime("%Y-%m")
        elif fire.target == "pack" and fire.name == names.PACK_FORTNIGHTLY:
            # The summary of the cycle whose audit runs today (fired every weekday at noon).
            start = last_cycle_ended_on_or_before(day, fire.cycle_anchor or DEFAULT_ANCHOR)
            run = await compute_deadline(fire.calendar, RUN_DAY_RULE, run_day_probe(start))
            if run.due_local.date() != day:
                return f"skipped: {day} is not the audit day of any cycle"
            period = start.isoformat()
        elif fire.target == "pack":
            year, week, _ = day.isocalendar()
            period = f"{year}-W{week:02d}"
        elif fire.name == names.EXAMPLE_CREDIBILITY:
            # Fired on days 1-7: only the month's first working day starts the review of the
            # previous month (Temporal calendars cannot say "first working day").
            first = await compute_deadline(
                fire.calendar, "1st working day of month", workflow.now()
            )
            if first.due_local.date() != day:
                return f"skipped: {day} is not the month's first working day"
            period = previous_month(day)
        elif fire.name == names.EXAMPLE_LEARNING:
            # Fired every weekday 07:00: only the first working day after a 14-day cycle (a bank
            # holiday pushes it on) starts that cycle's audit.
            start = last_cycle_ended_on_or_before(day, fire.cycle_anchor or DEFAULT_ANCHOR)
            run = await compute_deadline(fire.calendar, RUN_DAY_RULE, run_day_probe(start))
            if run.due_local.date() != day:
                return f"skipped: {day} is not the audit day of any cycle"
            period = start.isoformat()
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
