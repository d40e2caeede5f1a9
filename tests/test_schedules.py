"""Schedules: applied idempotently on the dev server; what they fire starts by business key."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from cli.governance_cmd import apply_schedules
from domain import names
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.periodic import ScheduledStart
from tests.fixtures.temporal import make_test_settings
from tests.workflow_support import running_worker


async def test_schedules_apply_is_idempotent_with_london_calendar_specs(dev_env, task_queue):
    settings = make_test_settings(temporal_task_queue=task_queue)
    first = dict(await apply_schedules(dev_env.client, settings))
    second = dict(await apply_schedules(dev_env.client, settings))
    assert {names.SCHEDULE_ACK_REVIEW, names.SCHEDULE_WEEKLY_PACK} <= set(first)
    assert set(second.values()) == {"updated"}
    described = await dev_env.client.get_schedule_handle(names.SCHEDULE_ACK_REVIEW).describe()
    spec = described.schedule.spec
    assert spec.time_zone_name == "Europe/London"
    [calendar] = spec.calendars
    assert [(r.start, r.end) for r in calendar.hour] == [(7, 7)]
    assert [(r.start, r.end) for r in calendar.day_of_week] == [(1, 5)]
    assert described.schedule.action.workflow == names.WF_SCHEDULED_START
    nightly = names.SCHEDULE_REGISTER_VERIFICATION
    verification = (await dev_env.client.get_schedule_handle(nightly).describe()).schedule
    assert verification.action.workflow == names.WF_REGISTER_VERIFICATION
    assert verification.spec.time_zone_name == "Europe/London"
    [calendar] = verification.spec.calendars
    assert [(r.start, r.end) for r in calendar.hour] == [(2, 2)]  # nightly, provider local time
    # created: the full verification ran once at once (a fresh install's first pack has one on
    # record); updated: not again
    assert first[nightly] == "created"
    assert await _actions_taken(dev_env.client, nightly) == 1
    for schedule_id in first:
        await dev_env.client.get_schedule_handle(schedule_id).delete()


async def _actions_taken(client, schedule_id: str) -> int:
    """The schedule's actions once its trigger has been taken (a trigger is taken after it is
    asked for); 0 when none is taken in 10 seconds."""
    for _ in range(100):
        info = (await client.get_schedule_handle(schedule_id).describe()).info
        if info.num_actions:
            return info.num_actions
        await asyncio.sleep(0.1)
    return 0


async def test_scheduled_start_uses_the_business_key_and_never_duplicates(
    own_env, sqlite_url, sessions_for
):
    sessions = sessions_for(sqlite_url)
    fire = ScheduledStart(target="pack", name=names.PACK_WEEKLY, calendar=CalendarConfig())
    # Waiting on a result would let the server skip ahead through the pack's own timers (to
    # years later, under load) before both fires ran: both fire now, in this week.
    with own_env.auto_time_skipping_disabled():
        async with running_worker(own_env, sessions) as queue:
            now = await own_env.get_current_time()
            periods = [
                await own_env.client.execute_workflow(
                    names.WF_SCHEDULED_START,
                    fire,
                    id=f"fire-{i}",
                    task_queue=queue,
                    result_type=str,
                    run_timeout=timedelta(seconds=30),
                )
                for i in range(2)
            ]
            pack = own_env.client.get_workflow_handle(names.pack_id(names.PACK_WEEKLY, periods[0]))
            description = await asyncio.wait_for(pack.describe(), 10)
    local = BusinessCalendar(CalendarConfig()).local(now).date()
    year, week, _ = local.isocalendar()
    assert periods == [f"{year}-W{week:02d}"] * 2
    assert description.workflow_type == names.WF_PACK
    assert description.run_id  # exactly one run under the business key


async def test_a_completed_review_is_never_run_again(own_env, sqlite_url, sessions_for):
    from infra.starters import start_review

    sessions = sessions_for(sqlite_url)
    saturday = BusinessCalendar(CalendarConfig()).local(await own_env.get_current_time()).date()
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    async with running_worker(own_env, sessions) as queue:
        first = await start_review(
            own_env.client,
            queue,
            names.EXAMPLE_ACKNOWLEDGMENT,
            saturday.isoformat(),
            CalendarConfig(),
            "ack-policy-v1",
        )
        await asyncio.wait_for(first.result(), 30)  # skipped: not a working day
        again = await start_review(
            own_env.client,
            queue,
            names.EXAMPLE_ACKNOWLEDGMENT,
            saturday.isoformat(),
            CalendarConfig(),
            "ack-policy-v1",
        )
        assert again.id == first.id
        assert (await again.describe()).run_id == first.result_run_id
