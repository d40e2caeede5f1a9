"""`nearmiss schedules apply` and `nearmiss review EXAMPLE PERIOD`."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import typer
from rich.console import Console
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import WorkflowIDConflictPolicy

from config.settings import Settings
from domain import names
from domain.acknowledgment import POLICY_VERSION
from domain.anchors import AnchorInput
from domain.calendar import BusinessCalendar
from domain.credibility import POLICY_VERSION as CREDIBILITY_POLICY_VERSION
from domain.learning import POLICY_VERSION as LEARNING_POLICY_VERSION
from domain.learning_cycles import audit_period
from domain.periodic import ReviewSummary, ScheduledStart
from domain.review_periods import ReviewPeriodError, check_started
from domain.reviews import REVIEWS
from infra.starters import start_review
from infra.temporal import connect

console = Console()
WEEKDAYS = [ScheduleRange(1, 5)]  # Monday..Friday; bank holidays are skipped by the workflow


def schedules(settings: Settings) -> dict[str, Schedule]:
    """Every schedule the service needs, as calendar specs in the provider's time zone."""
    calendar = settings.calendar_config()

    def fire(schedule_id: str, start: ScheduledStart, spec: ScheduleCalendarSpec) -> Schedule:
        return Schedule(
            action=ScheduleActionStartWorkflow(
                names.WF_SCHEDULED_START,
                start,
                id=f"{schedule_id}-run",
                task_queue=settings.temporal_task_queue,
            ),
            spec=ScheduleSpec(calendars=[spec], time_zone_name=settings.timezone),
        )

    return {
        names.SCHEDULE_REGISTER_VERIFICATION: Schedule(
            action=ScheduleActionStartWorkflow(
                names.WF_REGISTER_VERIFICATION,
                id=f"{names.SCHEDULE_REGISTER_VERIFICATION}-run",
                task_queue=settings.temporal_task_queue,
            ),
            spec=ScheduleSpec(
                calendars=[
                    ScheduleCalendarSpec(
                        hour=[ScheduleRange(2)],
                        minute=[ScheduleRange(30)],
                        comment="every register verified in full, nightly 02:30",
                    )
                ],
                time_zone_name=settings.timezone,
            ),
        ),
        names.SCHEDULE_ACK_REVIEW: fire(
            names.SCHEDULE_ACK_REVIEW,
            ScheduledStart(
                target="review",
                name=names.EXAMPLE_ACKNOWLEDGMENT,
                calendar=calendar,
                policy_version=POLICY_VERSION,
            ),
            ScheduleCalendarSpec(
                hour=[ScheduleRange(7)],
                minute=[ScheduleRange(0)],
                day_of_week=WEEKDAYS,
                comment="daily review, 07:00 working days",
            ),
        ),
        names.SCHEDULE_WEEKLY_PACK: fire(
            names.SCHEDULE_WEEKLY_PACK,
            ScheduledStart(target="pack", name=names.PACK_WEEKLY, calendar=calendar),
            ScheduleCalendarSpec(
                hour=[ScheduleRange(12)],
                minute=[ScheduleRange(0)],
                day_of_week=[ScheduleRange(5)],
                comment="weekly pack, Fridays",
            ),
        ),
        names.SCHEDULE_CREDIBILITY_REVIEW: fire(
            names.SCHEDULE_CREDIBILITY_REVIEW,
            ScheduledStart(
                target="review",
                name=names.EXAMPLE_CREDIBILITY,
                calendar=calendar,
                policy_version=CREDIBILITY_POLICY_VERSION,
            ),
            ScheduleCalendarSpec(
                hour=[ScheduleRange(7)],
                minute=[ScheduleRange(0)],
                day_of_month=[ScheduleRange(1, 7)],
                comment="closure review: days 1-7 07:00, runs on the first working day",
            ),
        ),
        names.SCHEDULE_LEARNING_AUDIT: fire(
            names.SCHEDULE_LEARNING_AUDIT,
            ScheduledStart(
                target="review",
                name=names.EXAMPLE_LEARNING,
                calendar=calendar,
                policy_version=LEARNING_POLICY_VERSION,
                cycle_anchor=date.fromisoformat(settings.cycle_anchor),
            ),
            ScheduleCalendarSpec(
                hour=[ScheduleRange(7)],
                minute=[ScheduleRange(0)],
                day_of_week=WEEKDAYS,
                comment="learning audit: weekdays 07:00, runs on the first working day after "
                "each 14-day cycle",
            ),
        ),
        names.SCHEDULE_FORTNIGHTLY_PACK: fire(
            names.SCHEDULE_FORTNIGHTLY_PACK,
            ScheduledStart(
                target="pack",
                name=names.PACK_FORTNIGHTLY,
                calendar=calendar,
                cycle_anchor=date.fromisoformat(settings.cycle_anchor),
            ),
            ScheduleCalendarSpec(
                hour=[ScheduleRange(12)],
                minute=[ScheduleRange(0)],
                day_of_week=WEEKDAYS,
                comment="fortnightly governance summary: generated at noon on the audit day",
            ),
        ),
        names.SCHEDULE_MONTHLY_PACK: fire(
            names.SCHEDULE_MONTHLY_PACK,
            ScheduledStart(target="pack", name=names.PACK_MONTHLY, calendar=calendar),
            ScheduleCalendarSpec(
                day_of_month=[ScheduleRange(10)],
                hour=[ScheduleRange(12)],
                minute=[ScheduleRange(0)],
                comment="monthly board pack: the 10th, after the closure review is due",
            ),
        ),
    }


async def apply_schedules(client: Client, settings: Settings) -> list[tuple[str, str]]:
    """Create each schedule, or update it in place when it exists (idempotent). The nightly
    full verification of the registers runs once when its schedule is created: a fresh install
    has one on record from its first day, and its first pack does not say "never verified"."""
    done = []
    for schedule_id, schedule in schedules(settings).items():
        try:
            await client.create_schedule(schedule_id, schedule)
            done.append((schedule_id, "created"))
            if schedule_id == names.SCHEDULE_REGISTER_VERIFICATION:
                await verify_registers_now(client)
        except ScheduleAlreadyRunningError:
            handle = client.get_schedule_handle(schedule_id)

            def replace(_: ScheduleUpdateInput, new: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=new)

            await handle.update(replace)
            done.append((schedule_id, "updated"))
    return done


async def verify_registers_now(client: Client) -> None:
    """Run the nightly full verification of every register now, through its schedule (the
    same workflow and ID as each night); after the one running, if one is."""
    handle = client.get_schedule_handle(names.SCHEDULE_REGISTER_VERIFICATION)
    await handle.trigger(overlap=ScheduleOverlapPolicy.BUFFER_ONE)


async def start_anchor(client: Client, settings: Settings) -> str:
    """Start the register anchor workflow unless it runs already (idempotent)."""
    handle = await client.start_workflow(
        names.WF_REGISTER_ANCHOR,
        AnchorInput(interval_seconds=settings.anchor_interval_seconds),
        id=names.REGISTER_ANCHOR_ID,
        task_queue=settings.temporal_task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return handle.id


def run_schedules_apply() -> None:
    """Apply the schedules to the configured Temporal server and start the register anchor."""
    settings = Settings()

    async def main() -> None:
        client = await connect(settings)
        for schedule_id, outcome in await apply_schedules(client, settings):
            console.print(f"{schedule_id}: {outcome}")
        console.print(f"{await start_anchor(client, settings)}: running")

    asyncio.run(main())


async def review_summary(
    client: Client, settings: Settings, example: str, period: str, wait_seconds: float = 120
) -> dict[str, Any]:
    """Start (or find) a review and wait until it has been generated; its summary."""
    handle = await start_review(
        client,
        settings.temporal_task_queue,
        example,
        period,
        settings.calendar_config(),
        POLICY_VERSION,
        requested=True,
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        summary = await handle.query(
            names.QUERY_STATE, result_type=ReviewSummary, rpc_timeout=timedelta(seconds=10)
        )
        if summary.as_of is not None or summary.skipped or loop.time() > deadline:
            return {"workflow_id": handle.id, **summary.model_dump(mode="json")}
        await asyncio.sleep(0.5)


def run_review(example: str, period: str) -> None:
    """Run or find the review of EXAMPLE for PERIOD and print its summary."""
    if example not in REVIEWS:
        console.print(
            f"[red]unknown or not yet built example {example!r}; "
            f"available: {', '.join(REVIEWS)}[/red]"
        )
        raise typer.Exit(2)
    settings = Settings()
    try:  # the API's rule: a period that exists and whose review has begun (its as-of instant)
        check_started(
            example,
            period,
            BusinessCalendar(settings.calendar_config()),
            date.fromisoformat(settings.cycle_anchor),
            datetime.now(UTC),
        )
    except ReviewPeriodError as exc:
        console.print(f"[red]period: {exc}[/red]")
        raise typer.Exit(2) from exc
    if example == names.EXAMPLE_LEARNING:
        # DATE -> the last cycle that ended on or before it (the audit's period is its start).
        period = audit_period(date.fromisoformat(period), date.fromisoformat(settings.cycle_anchor))

    async def main() -> dict[str, Any]:
        return await review_summary(await connect(settings), settings, example, period)

    console.print_json(data=asyncio.run(main()))
