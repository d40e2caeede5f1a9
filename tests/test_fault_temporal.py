"""Temporal server stopped across a deadline and restarted (the dev server on its own SQLite
file, `nearmiss worker` as a process): the case survives, the timer that fell due while the
server was down fires after the restart, and it escalates once (one breach, one mail each).

Deadlines count in working time, so the case runs on the calendar of a provider that works every
day (weekends and public holidays included) and whose working day ends a minute from now, in a time
zone where now is far from midnight: it runs on any date, at any hour."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain import names
from domain.acknowledgment import POLICY_VERSION
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.periodic import MarkReviewed
from infra.starters import start_review
from store.tables import Breach, Case, OutboxMessage
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.fault_support import DevServer, Service, service_env, services
from tests.fixtures.database import create_schema_tables, sqlite_file_url
from tests.fixtures.mail import free_port
from tests.workflow_support import actor, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.devserver]
LEAD = timedelta(seconds=40)  # from the case opening to its deadline


def _calendar(now: datetime) -> CalendarConfig:
    """Every day a working day, ending LEAD + a little from now, in London or (near London's
    midnight) Tokyo, so the working day starts and ends on today's local date."""
    for zone in ("Europe/London", "Asia/Tokyo"):
        local = now.astimezone(ZoneInfo(zone))
        end = local + LEAD + timedelta(seconds=15)
        if end.date() == local.date() and local.time() >= time(0, 1):
            return CalendarConfig(
                timezone=zone,
                working_day_start=time(0, 0),
                working_day_end=end.time().replace(microsecond=0),
                working_weekdays=(1, 2, 3, 4, 5, 6, 7),
                public_holidays=False,
            )
    raise AssertionError(f"no zone is far from midnight at {now}")


def test_the_outage_calendar_works_on_every_date_and_hour():
    """Every quarter hour of a year (Christmas, weekends and the clock changes included): the
    calendar exists and today is one of its working days."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for quarter in range(366 * 96):
        now = start + timedelta(minutes=15 * quarter, seconds=quarter % 60)
        config = _calendar(now)
        calendar = BusinessCalendar(config)
        assert calendar.is_working_day(calendar.local(now).date()), now


async def test_temporal_down_across_a_deadline_escalates_once_after_restart(tmp_path, sessions_for):
    calendar = _calendar(datetime.now(UTC))
    url = sqlite_file_url(tmp_path / "nearmiss.db")
    await create_schema_tables(url)
    sessions = sessions_for(url)
    today = BusinessCalendar(calendar).local(datetime.now(UTC)).date()
    await load(sessions, "staff-directory", staff_rows())
    reference = f"NM-T{uuid.uuid4().hex[:6]}"
    submitted = datetime.now(UTC) - timedelta(days=3)
    await load_reports(sessions, [report_rows(reference, submitted_at=submitted, ack_minutes=None)])
    server = DevServer(tmp_path)
    client = await server.start()
    queue = f"faults-{uuid.uuid4().hex}"
    env = service_env(
        url, server.settings.temporal_address, queue, NEARMISS_SMTP_PORT=str(free_port())
    )
    worker = Service("worker", env, tmp_path / "worker.log")
    case_id = names.ack_case_id(reference)
    try:
        async with services(worker):
            review = await start_review(
                client,
                queue,
                names.EXAMPLE_ACKNOWLEDGMENT,
                today.isoformat(),
                calendar,
                POLICY_VERSION,
            )
            await wait_for(lambda: _mark(review), within=60)
            case = await wait_for(lambda: _case(sessions, case_id), within=60)
            deadline = case.deadline
            assert deadline > datetime.now(UTC), (deadline, "the case opened too late")
            server.stop()  # Temporal is down across the deadline
            stopped = datetime.now(UTC)
            await asyncio.sleep((deadline - datetime.now(UTC)).total_seconds() + 10)
            client = await server.start()
            restarted = datetime.now(UTC)
            breaches = await wait_for(lambda: _breaches(sessions, case_id), within=90)
            fired = datetime.now(UTC)
            await asyncio.sleep(5)  # nothing more should come
            breaches = await _breaches(sessions, case_id)
            mails = await _mails(sessions, case_id)
            state = await client.get_workflow_handle(case_id).describe()
    finally:
        server.stop()
    print(
        f"\nTemporal down {(restarted - stopped).total_seconds():.0f} s across a deadline: the "
        f"breach was recorded {(fired - restarted).total_seconds():.1f} s after the restart; "
        f"{len(breaches)} breach(es) at level {[b.level for b in breaches]}, {len(mails)} "
        f"escalation mail(s) to {sorted({m.recipient for m in mails})}; "
        f"case {state.status.name.lower()}"
    )
    assert [b.level for b in breaches] == [1]
    assert abs((breaches[0].deadline - deadline).total_seconds()) < 1
    assert len(mails) == len({m.recipient for m in mails}) >= 1
    assert state.status.name == "RUNNING"


async def _mark(review: Any) -> bool:
    try:
        await review.execute_update(
            names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=actor("E-ANALYST"))
        )
    except Exception:  # noqa: BLE001 - not generated yet
        return False
    return True


async def _case(sessions: Any, case_id: str) -> Case | None:
    async with sessions() as session:
        case = await session.get(Case, case_id)
    return case if case is not None and case.deadline is not None else None


async def _breaches(sessions: Any, case_id: str) -> list[Breach]:
    async with sessions() as session:
        rows = await session.scalars(select(Breach).where(Breach.case_id == case_id))
        return list(rows.all())


async def _mails(sessions: Any, case_id: str) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage))
        return [m for m in rows.all() if m.dedupe_key.startswith(f"breach:{case_id}:")]
