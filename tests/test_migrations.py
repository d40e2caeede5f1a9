"""Migrations build the schema on SQLite and PostgreSQL, agree with store/tables.py, and fill
the typed columns of source records stored before them (0005, 0013, 0024)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from domain.feeds import FEEDS
from store.db import make_engine
from store.migrate import upgrade
from store.source_fields import TYPED_COLUMNS, typed_from_content
from store.tables import SOURCE_DEFAULT_PARTITION, SOURCE_FEEDS, Base, source_partition
from tests.migration_support import downgrade_to
from tests.migration_support import empty_url as empty_url  # the fixture

_PARTITIONS = {source_partition(feed) for feed in SOURCE_FEEDS} | {SOURCE_DEFAULT_PARTITION}


def _not_a_partition(name: str | None, kind: str, _parent: Any) -> bool:
    return not (kind == "table" and name in _PARTITIONS)


def _differences(connection: Connection) -> list[Any]:
    """What the models and the database disagree on (partitions are not models)."""
    opts = {"compare_type": True, "include_name": _not_a_partition}
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _partitions(connection: Connection) -> dict[str, str]:
    """PostgreSQL: each partition of ``source_records`` and its bound."""
    rows = connection.execute(
        sa.text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'source_records'::regclass"
        )
    )
    return {str(name): str(bound) for name, bound in rows}


async def test_upgrade_creates_every_table_and_matches_the_models(empty_url: str) -> None:
    await upgrade(empty_url)
    await upgrade(empty_url)  # idempotent: already at head
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(_tables)
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    partitions = _PARTITIONS if empty_url.startswith("postgresql") else set()
    assert tables == set(Base.metadata.tables) | {"alembic_version"} | partitions
    assert differences == []


def test_every_feed_has_its_own_partition() -> None:
    """A feed added to ``domain.feeds`` needs its partition (``SOURCE_FEEDS``, a migration)."""
    assert set(SOURCE_FEEDS) == set(FEEDS)


async def test_stored_records_move_into_their_feeds_partitions(empty_url: str) -> None:
    """0027 partitions ``source_records`` by feed on PostgreSQL with the rows it held, and the
    downgrade puts them back into one table (SQLite: unchanged)."""
    await upgrade(empty_url, "0026")
    contents = {"incident-platform": {"reference": "NM-1"}, "learning-bulletin-log": {"x": 1}}
    found = await _typed_after_upgrade(empty_url, contents, key="NM-1")
    assert set(found) == set(contents)
    if not empty_url.startswith("postgresql"):
        return
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            partitions = await connection.run_sync(_partitions)
            rows = await connection.execute(
                sa.text("SELECT tableoid::regclass::text, feed, key FROM source_records")
            )
            placed = {(table, feed, key) for table, feed, key in rows}
        assert partitions[SOURCE_DEFAULT_PARTITION] == "DEFAULT"
        assert partitions[source_partition("learning-bulletin-log")] == (
            "FOR VALUES IN ('learning-bulletin-log')"
        )
        assert len(partitions) == len(SOURCE_FEEDS) + 1
        assert placed == {(source_partition(f), f, "NM-1") for f in contents}
        await downgrade_to(empty_url, "0026")
        async with engine.connect() as connection:
            assert await connection.run_sync(_partitions) == {}
            count = await connection.scalar(sa.text("SELECT count(*) FROM source_records"))
        assert count == 2
    finally:
        await engine.dispose()


async def test_typed_source_columns_are_backfilled_from_stored_contents(empty_url: str) -> None:
    """0005 fills the typed columns of records stored before it, as ingestion now does."""
    await upgrade(empty_url, "0004")
    platform = {
        "reference": "NM-1",
        "employee_id": "E1",
        "service_line": "SL-A",
        "submitted_at": "2026-11-25T09:30:00.250000+01:00",
        "first_acknowledged_at": None,
        "triage_status": "pending",
        "unsafe_condition_active": True,
    }
    tracker = {"reference": "NM-1", "manager_reviewed": False, "triage_status": "triaged"}
    found = await _typed_after_upgrade(
        empty_url, {"incident-platform": platform, "tracker": tracker}, key="NM-1"
    )
    assert found == {
        "incident-platform": typed_from_content(platform),
        "tracker": typed_from_content(tracker),
    }
    assert found["incident-platform"][0] == 1795595400250000  # 08:30:00.25 UTC in microseconds
    assert found["tracker"][TYPED_COLUMNS.index("manager_reviewed")] == 0


async def test_review_columns_are_backfilled_from_stored_contents(empty_url: str) -> None:
    """0013 fills examples 2 and 3's typed columns of records stored before it."""
    await upgrade(empty_url, "0012")
    action = {
        "corrective_action_ref": "CA-1",
        "reference": "NM-1",
        "status": "complete",
        "due_at": "2026-11-20T09:00:00+00:00",
        "completed_at": "2026-11-19T10:00:00+01:00",
    }
    recurrence = {"reference": "NM-1", "recurrence_within_30_days": True,
                  "repeat_count_same_domain": 3}  # fmt: skip
    confirmation = {"case_ref": "C-1", "employee_id": "E1", "confirmed": False}
    contents = {"action": action, "recurrence": recurrence, "confirmation": confirmation}
    found = _by_name(await _typed_after_upgrade(empty_url, contents))
    added = TYPED_COLUMNS.index("closed_at_us")  # 0013's columns follow 0005's
    for feed, content in contents.items():
        assert tuple(found[feed].values())[added:] == typed_from_content(content)[added:]
    assert found["action"]["completed_at_us"] == 1795078800000000  # 09:00 UTC, 19 Nov
    assert found["action"]["status"] == "complete"
    assert found["recurrence"]["repeat_count_same_domain"] == 3
    assert found["recurrence"]["recurrence_within_30_days"] == 1
    assert found["confirmation"]["confirmed"] == 0


async def test_item_document_columns_are_backfilled_from_stored_contents(empty_url: str) -> None:
    """0024 fills the three reviews' document columns of records stored before it: example 3's
    (texts, stamps as written, flags as JSON text), example 1's (stamps as written, category,
    client, the recurrence-risk flag) and example 2's (the feedback instant as written, the
    bulletin ID)."""
    await upgrade(empty_url, "0023")
    contents = {
        "closure": {
            "case_ref": "C-1",
            "closed_at": "2026-11-20T09:00:00.500000+01:00",
            "closure_category": "corrective_action_completed",
            "final_reviewing_role": "supervisor",
            "last_employee_communication_at": None,
            "flags": ["weak_triage"],
        },
        "confirmation": {"case_ref": "C-1", "responded_at": "2026-11-23T09:00:00Z"},
        "reopened": {"case_ref": "C-1", "reopened_at": "2026-11-24T09:00:00-05:00"},
        "incident-platform": {
            "reference": "NM-1",
            "submitted_at": "2026-11-25T09:30:00.250000+01:00",
            "first_acknowledged_at": "2026-11-25T10:00:00Z",
            "triage_completed_at": None,
            "category_code": "CAT-1",
            "client_id": None,
            "recurrence_risk": False,
        },
        "learning-bulletin-log": {
            "reference": "NM-1",
            "feedback_to_reporter_at": "2026-11-25T09:30:00.250000-05:30",
            "bulletin_id": 'B "1"',
        },
    }
    found = _by_name(await _typed_after_upgrade(empty_url, contents))
    added = TYPED_COLUMNS.index("closure_category")  # 0024's columns follow 0013's
    for feed, content in contents.items():
        assert tuple(found[feed].values())[added:] == typed_from_content(content)[added:]
    closure, report = found["closure"], found["incident-platform"]
    assert closure["closed_at_iso"] == "2026-11-20T09:00:00.500000+01:00"
    assert closure["last_employee_communication_at_iso"] is None
    assert closure["flags"] == '["weak_triage"]'
    assert closure["final_reviewing_role"] == "supervisor"
    assert found["confirmation"]["responded_at_iso"] == "2026-11-23T09:00:00Z"
    assert found["reopened"]["reopened_at_iso"] == "2026-11-24T09:00:00-05:00"
    assert found["confirmation"]["flags"] is None
    assert report["submitted_at_iso"] == "2026-11-25T09:30:00.250000+01:00"
    assert report["first_acknowledged_at_iso"] == "2026-11-25T10:00:00Z"
    assert report["triage_completed_at_iso"] is None
    assert (report["category_code"], report["client_id"]) == ("CAT-1", None)
    assert report["recurrence_risk"] == 0
    bulletin = found["learning-bulletin-log"]
    assert bulletin["feedback_to_reporter_at_iso"] == "2026-11-25T09:30:00.250000-05:30"
    assert bulletin["bulletin_id"] == 'B "1"'
    assert closure["bulletin_id"] is None and bulletin["closure_category"] is None


async def _typed_after_upgrade(
    empty_url: str, contents: dict[str, dict[str, Any]], key: str = "K-1"
) -> dict[str, tuple[Any, ...]]:
    """Store one record per feed with its content (at the revision the database is at), upgrade
    to the head, and read each feed's typed columns back (in ``TYPED_COLUMNS`` order)."""
    records = sa.table(
        "source_records",
        *(sa.column(n) for n in ("feed", "key", "version", "content_hash", "received_at")),
        sa.column("content", sa.JSON()),
    )
    at = datetime(2026, 11, 26, tzinfo=UTC)
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(records),
                [
                    {"feed": f, "key": key, "version": 1, "content": c, "content_hash": "0",
                     "received_at": at}
                    for f, c in contents.items()
                ],
            )  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            rows: Any = await connection.execute(
                sa.select(*(sa.column(c) for c in ("feed", *TYPED_COLUMNS))).select_from(
                    sa.table("source_records")
                )
            )
            return {row[0]: tuple(row[1:]) for row in rows}
    finally:
        await engine.dispose()


def _by_name(found: dict[str, tuple[Any, ...]]) -> dict[str, dict[str, Any]]:
    return {feed: dict(zip(TYPED_COLUMNS, values, strict=True)) for feed, values in found.items()}
