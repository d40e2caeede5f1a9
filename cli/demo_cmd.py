"""``nearmiss demo-data``: generate the seeded demo data set and load it through the feed contract.

Rows go through the same validation and versioned upsert as HTTP batches and CSV imports. The
data is generated for the latest 07:00 local time (today's, or yesterday's before 07:00), so a
re-run on the same day produces identical rows and stores nothing new.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from cli.demo_data import generate
from cli.governance_cmd import verify_registers_now
from config.settings import Settings
from domain import acknowledgment, credibility, learning, names
from domain.calendar import BusinessCalendar
from domain.feeds import FEEDS
from domain.ingest import validate_rows
from domain.learning_cycles import audit_period
from domain.periodic import ReviewSummary
from infra.starters import start_review
from infra.temporal import connect
from store.db import make_engine, make_sessionmaker, transaction
from store.demo_cases import seed_cases
from store.demo_history import oldest_month, seed_history
from store.demo_repairs import seed_repairs
from store.migrate import upgrade
from store.sources import UpsertResult, upsert_records

REVIEW_TIME = time(7, 0)
POLICY_VERSIONS = {
    names.EXAMPLE_ACKNOWLEDGMENT: acknowledgment.POLICY_VERSION,
    names.EXAMPLE_LEARNING: learning.POLICY_VERSION,
    names.EXAMPLE_CREDIBILITY: credibility.POLICY_VERSION,
}
# The staff directory first: everything else refers to its employee IDs.
LOAD_ORDER = ["staff-directory", *(feed for feed in FEEDS if feed != "staff-directory")]


def demo_as_of(
    timezone: str, now: datetime | None = None, calendar: BusinessCalendar | None = None
) -> datetime:
    """The latest 07:00 in ``timezone`` at or before ``now`` on a working day of ``calendar``
    (the as_of of the latest daily review that can have run)."""
    zone = ZoneInfo(timezone)
    local = (now or datetime.now(UTC)).astimezone(zone)
    day = local.date() if local.time() >= REVIEW_TIME else local.date() - timedelta(days=1)
    while calendar is not None and not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, REVIEW_TIME, zone)


def demo_reviews(settings: Settings, as_of: datetime) -> list[tuple[str, str]]:
    """(example, period) of the reviews the demo starts: the daily review of AS_OF, the
    learning audit of the last ended cycle, the closure review of the previous month."""
    today = as_of.date()
    anchor = date.fromisoformat(settings.cycle_anchor)
    last_month = today.replace(day=1) - timedelta(days=1)
    return [
        (names.EXAMPLE_ACKNOWLEDGMENT, today.isoformat()),
        (names.EXAMPLE_LEARNING, audit_period(today, anchor)),
        (names.EXAMPLE_CREDIBILITY, f"{last_month:%Y-%m}"),
    ]


async def _generated(handles: list[Any], seconds: float = 60) -> None:
    """Wait (up to SECONDS) until each review has been generated or skipped."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    for handle in handles:
        while loop.time() < deadline:
            try:
                summary = await handle.query(
                    names.QUERY_STATE, result_type=ReviewSummary, rpc_timeout=timedelta(seconds=5)
                )
            except RPCError:
                summary = None
            if summary is not None and (summary.as_of is not None or summary.skipped):
                break
            await asyncio.sleep(0.25)


async def start_demo_reviews(
    settings: Settings, as_of: datetime, client: Client | None = None
) -> list[str]:
    """Start (or find) the demo's three reviews, so each step-1 role has one to mark, and run
    the nightly full verification of the registers once over the loaded history.

    Each is asked for as a person would (``requested``): the demo's service was not running
    when their deadlines passed, so nobody was late yet. A review asked for before its deadline
    keeps it (a demo started at 07:10 has today's review due by 07:30 and signed off by 09:30,
    escalating from then); one asked for after it records that truthfully: generated late with
    no generation breach, its sign-off due by close of business of the day it is generated
    (``ReviewWorkflow``'s back-run). Before, today's daily review ran as the schedule would, so
    a demo started after 13:00 mailed "Overdue, now with the director (reminder 2): Generate
    the review" the moment it started."""
    client = client or await connect(settings)
    calendar = settings.calendar_config()
    started, handles = [], []
    for example, period in demo_reviews(settings, as_of):
        version = POLICY_VERSIONS[example]
        for attempt in range(30):  # a dev server just started may not serve its shards yet
            try:
                handle = await start_review(
                    client,
                    settings.temporal_task_queue,
                    example,
                    period,
                    calendar,
                    version,
                    requested=True,
                )
                break
            except RPCError:
                if attempt == 29:
                    raise
                await asyncio.sleep(1)
        started.append(handle.id)
        handles.append(handle)
    # The registers verified in full once, over the loaded history and what the reviews wrote
    # as they were generated (a workspace register begins then), so the first evidence pack
    # has a full verification of every register on record.
    await _generated(handles)
    try:
        await verify_registers_now(client)
    except RPCError as exc:  # no schedules (not applied, or a test server without them)
        if exc.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.UNIMPLEMENTED):
            raise
    return started


async def load_demo_data(
    url: str, data: dict[str, list[dict[str, Any]]], received_at: datetime
) -> dict[str, UpsertResult]:
    """Validate and upsert every feed's rows, one transaction per feed; idempotent."""
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        results: dict[str, UpsertResult] = {}
        for feed in LOAD_ORDER:
            records, rejections = validate_rows(feed, data.get(feed, []))
            if rejections:  # the generator's own test forbids this: a bug, not bad input
                raise ValueError(f"{feed}: generated rows rejected: {rejections[:3]}")
            async with transaction(sessions) as session:
                results[feed] = await upsert_records(session, feed, records, received_at)
        return results
    finally:
        await engine.dispose()


def run_demo_data(seed: int, reports: int) -> datetime:
    """Generate the demo data for the latest daily review, load it into the configured database;
    the review's as_of."""
    settings = Settings()
    calendar = BusinessCalendar(settings.calendar_config())
    as_of = demo_as_of(settings.timezone, calendar=calendar)
    data = generate(seed, reports, as_of, cycle_anchor=date.fromisoformat(settings.cycle_anchor))
    asyncio.run(upgrade(settings.database_url))
    try:
        results = asyncio.run(load_demo_data(settings.database_url, data, datetime.now(UTC)))
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    past = asyncio.run(load_demo_history(settings, as_of, calendar))
    table = Table(title=f"demo data (seed {seed}, as of {as_of.isoformat()})")
    for column in ("feed", "rows", "inserted", "updated", "unchanged"):
        table.add_column(column, justify="left" if column == "feed" else "right")
    for feed, result in results.items():
        counts = (len(data[feed]), result.inserted, result.updated, result.unchanged)
        table.add_row(feed, *(str(n) for n in counts))
    Console().print(table)
    cases = [p for p in past if "-case-" in p]
    typer.echo(
        f"demo history: {len(past) - len(cases)} past reviews signed off, {len(cases)} past cases"
    )
    return as_of


async def load_demo_history(
    settings: Settings, as_of: datetime, calendar: BusinessCalendar
) -> list[str]:
    """The demo's past reviews and cases (store/demo_history.py, store/demo_cases.py), in one
    transaction; idempotent. Their IDs."""
    engine = make_engine(settings.database_url)
    try:  # the past cases' register entries are signed with the service's key
        async with transaction(make_sessionmaker(engine, settings.signing_key)) as session:
            anchor = date.fromisoformat(settings.cycle_anchor)
            reviews = await seed_history(session, as_of, calendar, anchor)
            today = as_of.astimezone(calendar.zone).date()
            url = settings.public_url
            cases = await seed_cases(session, calendar, today, anchor, url)
            month = oldest_month(today)
            return reviews + cases + await seed_repairs(session, calendar, anchor, month, url)
    finally:
        await engine.dispose()
