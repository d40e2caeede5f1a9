"""Migrations build the schema on SQLite and PostgreSQL, and agree with store/tables.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.migrate import alembic_config, upgrade
from store.source_fields import TYPED_COLUMNS, typed_from_content
from store.tables import Base
from tests.fixtures.database import drop_postgres_schema, make_postgres_schema, sqlite_file_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: a new SQLite file or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_file_url(tmp_path / "migrated.db")
        return
    url = await make_postgres_schema(tables=False)
    yield url
    await drop_postgres_schema(url)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


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
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert differences == []


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
                    {"feed": f, "key": "NM-1", "version": 1, "content": c, "content_hash": "0",
                     "received_at": at}
                    for f, c in (("incident-platform", platform), ("tracker", tracker))
                ],
            )  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            rows: Any = await connection.execute(
                sa.select(*(sa.column(c) for c in ("feed", *TYPED_COLUMNS)))
                .select_from(sa.table("source_records"))
                .order_by(sa.column("feed"))
            )
            found = {row[0]: tuple(row[1:]) for row in rows}
    finally:
        await engine.dispose()
    assert found == {
        "incident-platform": typed_from_content(platform),
        "tracker": typed_from_content(tracker),
    }
    assert found["incident-platform"][0] == 1795595400250000  # 08:30:00.25 UTC in microseconds
    assert found["tracker"][TYPED_COLUMNS.index("manager_reviewed")] == 0


async def downgrade_to(url: str, revision: str) -> None:
    """Alembic's downgrade on ``url``, in one transaction as ``upgrade`` runs."""
    from alembic import command

    def run(connection: Connection) -> None:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def test_review_sign_off_deadlines_are_backfilled(empty_url: str) -> None:
    """0011 stores each review's sign-off deadline: the rule's (09:30 for a daily review), or for
    one generated after that deadline (a back-run, the only reading left for past rows) close of
    business of its generation day."""
    await upgrade(empty_url, "0010")
    reviews = sa.table(
        "reviews",
        *(sa.column(n) for n in ("review_id", "example", "period", "status", "summary")),
        sa.column("as_of", sa.DateTime(timezone=True)),
        sa.column("generated_at", sa.DateTime(timezone=True)),
    )
    as_of = datetime(2026, 11, 26, 7, tzinfo=UTC)  # a Thursday, 07:00 in London (GMT)
    sqlite = empty_url.startswith("sqlite")

    def stored(at: datetime) -> datetime:
        return at.replace(tzinfo=None) if sqlite else at

    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(reviews),
                [
                    {"review_id": rid, "example": "acknowledgment", "period": "2026-11-26",
                     "status": "generated", "summary": "{}", "as_of": stored(as_of),
                     "generated_at": stored(as_of.replace(hour=hour))}
                    for rid, hour in (("ack-review-on-time", 7), ("ack-review-asked-later", 14))
                ],
            )  # fmt: skip
            # an item refers to its review (a rebuild of `reviews` would fail on SQLite)
            await connection.execute(sa.text(
                "INSERT INTO review_items (review_id, reference, classification, reasons, fields)"
                " VALUES ('ack-review-on-time', 'NM-1', 'emerging', '[]', '{}')"
            ))  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            rows: Any = await connection.execute(
                sa.select(sa.column("review_id"),
                          sa.column("sign_off_due_at", sa.DateTime(timezone=True)),
                          sa.column("back_run")).select_from(sa.table("reviews"))
            )  # fmt: skip
            found = {rid: (due.replace(tzinfo=None), bool(flag)) for rid, due, flag in rows}
    finally:
        await engine.dispose()
    assert found == {
        "ack-review-on-time": (datetime(2026, 11, 26, 9, 30), False),
        "ack-review-asked-later": (datetime(2026, 11, 26, 17), True),
    }
    await downgrade_to(empty_url, "0010")  # and back, the items kept
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            items = await connection.scalar(sa.text("SELECT count(*) FROM review_items"))
            columns = await connection.run_sync(
                lambda c: {col["name"] for col in sa.inspect(c).get_columns("reviews")}
            )
    finally:
        await engine.dispose()
    assert items == 1 and not {"sign_off_due_at", "back_run"} & columns


async def test_published_packs_get_a_made_visible_event_on_each_listed_case(empty_url: str) -> None:
    """0012 writes, for a pack published before it, the event publishing now records."""
    await upgrade(empty_url, "0011")
    packs = sa.table(
        "packs",
        *(sa.column(n) for n in ("kind", "period", "status", "published_by")),
        sa.column("generated_at", sa.DateTime(timezone=True)),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("case_ids", sa.JSON()),
        sa.column("content", sa.JSON()),
    )
    at = datetime(2026, 12, 11, 15, tzinfo=UTC)
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(packs),
                [
                    {"kind": "weekly-sustainability", "period": "2026-W50", "status": "published",
                     "published_by": "E0004", "generated_at": at, "published_at": at,
                     "case_ids": ["ack-case-A", "ack-case-B"], "content": {}},
                    {"kind": "weekly-sustainability", "period": "2026-W51", "status": "generated",
                     "published_by": None, "generated_at": at, "published_at": None,
                     "case_ids": ["ack-case-C"], "content": {}},
                ],
            )  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            rows: Any = await connection.execute(
                sa.select(sa.column("case_id"), sa.column("kind"), sa.column("actor"),
                          sa.column("detail", sa.JSON()))
                .select_from(sa.table("case_events")).order_by(sa.column("case_id"))
            )  # fmt: skip
            found = [tuple(row) for row in rows]
    finally:
        await engine.dispose()
    detail = {"pack": "weekly-sustainability", "period": "2026-W50",
              "title": "Weekly workforce sustainability review pack"}  # fmt: skip
    assert found == [
        ("ack-case-A", "made_visible", "E0004", detail),
        ("ack-case-B", "made_visible", "E0004", detail),
    ]


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
    records = sa.table(
        "source_records",
        *(sa.column(n) for n in ("feed", "key", "version", "content_hash", "received_at")),
        sa.column("content", sa.JSON()),
    )
    at = datetime(2026, 11, 26, tzinfo=UTC)
    contents = {"action": action, "recurrence": recurrence, "confirmation": confirmation}
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(records),
                [
                    {"feed": f, "key": "K", "version": 1, "content": c, "content_hash": "0",
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
            found = {row[0]: dict(zip(TYPED_COLUMNS, row[1:], strict=True)) for row in rows}
    finally:
        await engine.dispose()
    added = TYPED_COLUMNS.index("closed_at_us")  # 0013's columns follow 0005's
    for feed, content in contents.items():
        assert tuple(found[feed].values())[added:] == typed_from_content(content)[added:]
    assert found["action"]["completed_at_us"] == 1795078800000000  # 09:00 UTC, 19 Nov
    assert found["action"]["status"] == "complete"
    assert found["recurrence"]["repeat_count_same_domain"] == 3
    assert found["recurrence"]["recurrence_within_30_days"] == 1
    assert found["confirmation"]["confirmed"] == 0


async def test_open_obligations_get_their_cases_shown_columns(empty_url: str) -> None:
    """0015 copies each open obligation's case columns that "my work" shows onto its row."""
    await upgrade(empty_url, "0014")
    at = datetime(2026, 11, 26, 7, tzinfo=UTC)
    stored = at.replace(tzinfo=None) if empty_url.startswith("sqlite") else at
    names = ("case_id", "example", "reference", "review_id", "employee_id", "service_line",
             "exposure", "stage", "status", "escalation_level", "opened_at", "updated_at",
             "detail")  # fmt: skip
    cases = sa.table("cases", *(sa.column(n) for n in names))
    owed = sa.table("case_open_obligations", *(sa.column(n) for n in ("case_id", "key", "role")))
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(cases),
                [
                    {"case_id": cid, "example": "acknowledgment", "reference": ref,
                     "review_id": "r-1", "employee_id": "E-1", "service_line": line,
                     "exposure": exposure, "stage": "triage-attribution", "status": "open",
                     "escalation_level": 0, "opened_at": stored, "updated_at": stored,
                     "detail": "{}"}
                    for cid, ref, line, exposure in (("c-1", "NM-1", "SL-1", "high"),
                                                     ("c-2", "NM-2", "SL-2", "low"))
                ],
            )  # fmt: skip
            await connection.execute(
                sa.insert(owed),
                [{"case_id": "c-1", "key": "step:a", "role": "x"},
                 {"case_id": "c-1", "key": "step:b", "role": "x"},
                 {"case_id": "c-2", "key": "step:a", "role": "y"}],
            )  # fmt: skip
        await upgrade(empty_url)
        async with engine.connect() as connection:
            columns = ("case_id", "key", "case_status", "example", "reference", "exposure",
                       "service_line")  # fmt: skip
            rows = await connection.execute(
                sa.select(*(sa.column(n) for n in columns))
                .select_from(sa.table("case_open_obligations"))
                .order_by(sa.column("case_id"), sa.column("key"))
            )
            found = [tuple(row) for row in rows]
    finally:
        await engine.dispose()
    assert found == [
        ("c-1", "step:a", "open", "acknowledgment", "NM-1", "high", "SL-1"),
        ("c-1", "step:b", "open", "acknowledgment", "NM-1", "high", "SL-1"),
        ("c-2", "step:a", "open", "acknowledgment", "NM-2", "low", "SL-2"),
    ]
