"""The migration tests' empty database (a new SQLite file or PostgreSQL schema, both params)
and Alembic's downgrade run as ``store.migrate.upgrade`` runs its upgrade."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.migrate import alembic_config
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
