"""The migration tests' empty database (a new SQLite file or PostgreSQL schema, both params)
and Alembic's downgrade run as ``store.migrate.upgrade`` runs its upgrade."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from store.db import make_engine
from store.migrate import alembic_config
from store.tables import ReviewItem
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


# ``review_items``' columns before migration 0027 (the ORM's rows also name its typed columns).
_ITEMS_BEFORE_0027 = sa.table(
    "review_items",
    *(sa.column(n) for n in ("review_id", "reference", "classification", "case_id", "employee_id")),
    sa.column("reasons", sa.JSON()),
    sa.column("fields", sa.JSON()),
)


async def add_before_0027(session: AsyncSession, rows: list[Any]) -> None:
    """Add ORM rows to a database migrated to a revision before 0027: review items through
    ``review_items``' columns of then, everything else as it is."""
    items = [row for row in rows if isinstance(row, ReviewItem)]
    session.add_all([row for row in rows if not isinstance(row, ReviewItem)])
    await session.flush()
    names = ("review_id", "reference", "classification", "case_id", "employee_id", "reasons")
    values = [{n: getattr(i, n) for n in names} | {"fields": i.stored_fields} for i in items]
    if values:
        await session.execute(_ITEMS_BEFORE_0027.insert(), values)
