"""Migrations build the schema on SQLite and PostgreSQL, and agree with store/tables.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.migrate import upgrade
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
