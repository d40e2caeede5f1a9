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


async def add_to_older_schema(session: AsyncSession, rows: list[Any]) -> None:
    """Insert ORM rows (in order, by table) into a database migrated to an older revision: only
    the columns its tables have then (the models may name columns added since), a column no row
    sets left to its default."""
    connection = await session.connection()
    by_table: dict[sa.Table, list[Any]] = {}
    for row in rows:
        by_table.setdefault(row.__table__, []).append(row)
    for table, group in by_table.items():
        names = await connection.run_sync(_column_names, table.name)
        mapper = sa.inspect(type(group[0]))
        keys = {
            c.name: mapper.get_property_by_column(c).key for c in table.columns if c.name in names
        }
        values = [{name: getattr(row, key) for name, key in keys.items()} for row in group]
        unset = {name for name in keys if all(v[name] is None for v in values)}
        await session.execute(
            table.insert(), [{n: v for n, v in row.items() if n not in unset} for row in values]
        )


def _column_names(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns(table)}


async def stored_item_fields(url: str) -> dict[str, Any]:
    """Each review item's ``fields`` column as stored (no rendering), by reference."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT reference, fields FROM review_items ORDER BY reference")
            )
            return dict(rows.all())
    finally:
        await engine.dispose()
