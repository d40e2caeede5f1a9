"""Alembic environment (async template): SQLite through aiosqlite, PostgreSQL through asyncpg.

``store.migrate.upgrade`` passes an open connection in ``config.attributes["connection"]`` (so it
can run inside an event loop); the ``alembic`` command line gets none and opens its own engine
on ``sqlalchemy.url`` or, when that is unset, ``NEARMISS_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from config.settings import Settings
from store.column_types import UtcDateTime
from store.db import make_engine
from store.tables import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def _render_item(type_: str, obj: object, _autogen_context: object) -> str | Literal[False]:
    # Revisions must not import the application: render UtcDateTime as the type it stores.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit the SQL instead of running it (``alembic upgrade head --sql``)."""
    url = _url()
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on an open (sync-facing) connection."""
    # SQLite cannot ALTER most things in place: batch mode recreates the table instead.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Open an engine on the configured URL and run the migrations on it."""
    engine = make_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif isinstance(shared := config.attributes.get("connection"), Connection):
    do_run_migrations(shared)
else:
    asyncio.run(run_async_migrations())
