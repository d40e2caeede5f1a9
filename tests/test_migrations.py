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
from store.migrate import upgrade
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
