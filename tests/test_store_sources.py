"""Versioned upsert of source records and the staff lookup, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.roles import Role
from store.source_fields import TYPED_COLUMNS, typed_from_content
from store.sources import UpsertResult, current_records, record_versions
from store.staff import get_staff, staff_with_role
from store.tables import SourceRecord, SourceRecordVersion
from tests.sources_support import FEED, T0, log_row, upsert


async def version_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(SourceRecordVersion)) or 0


async def test_new_records_are_inserted_with_a_first_version(sessions) -> None:
    result = await upsert(sessions, [log_row("A"), log_row("B")])
    assert result == UpsertResult(inserted=2, updated=0, unchanged=0)
    async with sessions() as session:
        current = await current_records(session, FEED)
        versions = await record_versions(session, FEED, "A")
    assert current["A"]["submitted_at"] == "2026-11-20T10:00:00Z"
    assert current["A"]["first_acknowledged_at"] is None
    assert [v["version"] for v in versions] == [1]
    assert versions[0]["received_at"] == T0  # same instant, read back in UTC
    assert versions[0]["received_at"].tzinfo is not None


async def test_resending_the_same_batch_changes_nothing(sessions) -> None:
    batch = [log_row("A"), log_row("B", triage_owner_id="E7")]
    await upsert(sessions, batch)
    before = await version_count(sessions)
    again = await upsert(sessions, batch, at=T0 + timedelta(hours=1))
    assert again == UpsertResult(inserted=0, updated=0, unchanged=2)
    assert await version_count(sessions) == before == 2
    async with sessions() as session:
        versions = await record_versions(session, FEED, "A")
    assert versions[0]["received_at"] == T0  # the identical re-send did not touch the time


async def test_a_changed_record_keeps_its_previous_version(sessions) -> None:
    await upsert(sessions, [log_row("A"), log_row("B")])
    later = T0 + timedelta(days=1)
    acknowledged = log_row("A", first_acknowledged_at="2026-11-20T11:00:00+00:00")
    result = await upsert(sessions, [acknowledged, log_row("B")], at=later)
    assert result == UpsertResult(inserted=0, updated=1, unchanged=1)
    async with sessions() as session:
        versions = await record_versions(session, FEED, "A")
        current = await current_records(session, FEED, keys=["A"])
    assert [(v["version"], v["received_at"]) for v in versions] == [(1, T0), (2, later)]
    assert versions[0]["content"]["first_acknowledged_at"] is None
    assert versions[1]["content"] == current["A"]
    assert current["A"]["first_acknowledged_at"] == "2026-11-20T11:00:00Z"


async def test_feeds_do_not_share_keys(sessions) -> None:
    await upsert(sessions, [log_row("A")])
    tracker = {
        "reference": "A",
        "employee_id": "E1",
        "service_line": "north",
        "triage_status": "triaged",
        "manager_reviewed": True,
        "updated_at": "2026-11-20T12:00:00+00:00",
    }
    result = await upsert(sessions, [tracker], feed="manager-response-tracker")
    assert result.inserted == 1
    async with sessions() as session:
        assert list(await current_records(session, FEED)) == ["A"]
        assert await current_records(session, "manager-response-tracker", keys=["Z"]) == {}


async def test_a_batch_of_ten_thousand_goes_in_one_call(sessions) -> None:
    rows = [log_row(f"NM-{i:05d}") for i in range(10_000)]
    assert (await upsert(sessions, rows)).inserted == 10_000
    rows[1234] = log_row("NM-01234", service_line="south")
    result = await upsert(sessions, rows, at=T0 + timedelta(hours=1))
    assert result == UpsertResult(inserted=0, updated=1, unchanged=9_999)
    keys = [f"NM-{i:05d}" for i in range(0, 10_000, 2)]
    async with sessions() as session:
        some = await current_records(session, FEED, keys=keys)
    assert len(some) == len(keys) and some["NM-01234"]["service_line"] == "south"
    assert await version_count(sessions) == 10_001


def staff_row(employee_id: str, roles: list[str], **overrides: Any) -> dict[str, Any]:
    row = {
        "employee_id": employee_id,
        "display_name": f"Person {employee_id}",
        "email": f"{employee_id.lower()}@provider.org",
        "roles": roles,
        "active": True,
    }
    return row | overrides


async def test_staff_lookup_reads_the_current_directory(sessions) -> None:
    supervisor = Role.NEAR_MISS_GOVERNANCE_SUPERVISOR.value
    directory = [
        staff_row("E2", [supervisor, "worker"], service_line="north"),
        staff_row("E1", [supervisor]),
        staff_row("E3", [supervisor], active=False),
        staff_row("E4", [supervisor], left_at="2026-12-31"),
        staff_row("E5", ["worker"]),
    ]
    await upsert(sessions, directory, feed="staff-directory")
    async with sessions() as session:
        member = await get_staff(session, "E2")
        missing = await get_staff(session, "E9")
        current = await staff_with_role(session, Role.NEAR_MISS_GOVERNANCE_SUPERVISOR)
        before_leaving = await staff_with_role(
            session, Role.NEAR_MISS_GOVERNANCE_SUPERVISOR, on=date(2026, 12, 1)
        )
    assert member is not None and missing is None
    assert member.roles == frozenset({Role.NEAR_MISS_GOVERNANCE_SUPERVISOR, Role.WORKER})
    assert member.service_line == "north" and member.left_at is None
    assert [m.employee_id for m in current] == ["E1", "E2"]
    assert [m.employee_id for m in before_leaving] == ["E1", "E2", "E4"]


async def test_instants_come_back_in_utc(sessions) -> None:
    await upsert(sessions, [log_row("A")], at=datetime(2026, 6, 1, 12, 30, tzinfo=UTC))
    async with sessions() as session:
        (version,) = await record_versions(session, FEED, "A")
    assert version["received_at"].isoformat() == "2026-06-01T12:30:00+00:00"


async def test_typed_columns_follow_the_current_version(sessions) -> None:
    """Ingestion extracts the typed columns (the set-based review reads them) on insert and
    again when a record changes, equal to what the stored content gives."""
    await upsert(sessions, [log_row("A", first_acknowledged_at="2026-11-20T11:00:00+01:00")])
    await upsert(sessions, [log_row("A", employee_id="E2", first_acknowledged_at=None)])
    await upsert(sessions, [log_row("B", triage_owner_id="OWN-1")])
    async with sessions() as session:
        rows = (
            await session.execute(
                select(SourceRecord.key, SourceRecord.content, *_typed()).order_by(SourceRecord.key)
            )
        ).all()
    assert [row[0] for row in rows] == ["A", "B"]
    for _, content, *typed in rows:
        assert tuple(typed) == typed_from_content(content)
    a, b = (dict(zip(TYPED_COLUMNS, row[2:], strict=True)) for row in rows)
    assert (a["employee_id"], a["first_acknowledged_at_us"]) == ("E2", None)
    assert a["submitted_at_us"] == 1_795_168_800 * 1_000_000  # 2026-11-20T10:00:00Z
    assert (b["triage_owner_id"], b["service_line"], b["manager_reviewed"]) == (
        "OWN-1",
        "north",
        None,
    )


def _typed() -> list[Any]:
    return [getattr(SourceRecord, name) for name in TYPED_COLUMNS]


async def test_closure_stamps_and_flags_are_stored_as_the_content_writes_them(sessions) -> None:
    """Example 3's item documents are written from these columns: each stamp is the content's
    own text of the instant (offset, ``Z`` and microseconds as ingestion wrote them) and the
    flags their JSON text, from the validated record exactly as from the stored content."""
    feed = "closed-case-register"
    base = {
        "reference": "NM-1",
        "employee_id": "E1",
        "service_line": "north",
        "manager_line": "ML-1",
        "closure_category": "corrective_action_completed",
        "final_reviewing_role": 'role "quoted"\tand tabbed',
    }
    rows = [
        base | {"case_ref": "C-1", "closed_at": "2026-11-20T10:00:00.000250+05:30",
                "last_employee_communication_at": "2026-11-19T23:59:59Z",
                "flags": ["weak_triage", "disputed_closure"]},
        base | {"case_ref": "C-2", "closed_at": "2026-11-20T10:00:00-00:30"},
    ]  # fmt: skip
    await upsert(sessions, rows, feed=feed)
    async with sessions() as session:
        found = (
            await session.execute(
                select(SourceRecord.key, SourceRecord.content, *_typed())
                .where(SourceRecord.feed == feed)
                .order_by(SourceRecord.key)
            )
        ).all()
    for _, content, *typed in found:
        assert tuple(typed) == typed_from_content(content)
    one, two = (dict(zip(TYPED_COLUMNS, row[2:], strict=True)) for row in found)
    assert one["closed_at_iso"] == found[0][1]["closed_at"] == "2026-11-20T10:00:00.000250+05:30"
    assert one["last_employee_communication_at_iso"] == "2026-11-19T23:59:59Z"
    assert one["flags"] == '["weak_triage","disputed_closure"]'
    assert one["final_reviewing_role"] == 'role "quoted"\tand tabbed'
    assert (two["closed_at_iso"], two["flags"]) == ("2026-11-20T10:00:00-00:30", "[]")
    assert two["last_employee_communication_at_iso"] is None
