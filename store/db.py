"""Engine and session factories (one AsyncSession per task, never shared).

Database URLs may carry a ``?schema=NAME`` query option (PostgreSQL only): it is stripped before
SQLAlchemy sees the URL and becomes the connection's ``search_path``, so tests can hand one URL
string to the API, the worker and the CLI and all of them land in the same isolated schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import store.review_visibility  # noqa: F401  (every session hides reviews still being built)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def split_schema(url: str) -> tuple[URL, str | None]:
    """The URL without its ``schema`` query option, and that option (None when absent)."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if isinstance(schema, tuple):
        schema = schema[-1]
    return parsed.difference_update_query(["schema"]), schema


def with_schema(url: str, schema: str) -> str:
    """``url`` with its ``schema`` query option set to ``schema``."""
    parsed, _ = split_schema(url)
    return parsed.update_query_dict({"schema": schema}).render_as_string(hide_password=False)


def make_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> AsyncEngine:
    """Create an engine; SQLite files get WAL, a busy timeout and foreign keys.

    JSON columns are read with orjson (about 4x faster than ``json.loads`` on feed records, the
    same values); they are still written with the standard library.

    ``schema`` (or the URL's ``?schema=``) selects a PostgreSQL schema through ``search_path``;
    extra keyword arguments go to ``create_async_engine`` (e.g. ``poolclass``).
    """
    parsed, url_schema = split_schema(url)
    schema = schema or url_schema
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    if schema:
        kwargs.setdefault("connect_args", {})["server_settings"] = {"search_path": schema}
    if "poolclass" not in kwargs:
        kwargs.update(pool_size=10, max_overflow=20)
    return create_async_engine(parsed, pool_pre_ping=True, json_deserializer=orjson.loads, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    path = url.database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, connect_args={"timeout": 30}, json_deserializer=orjson.loads, **kwargs
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        dbapi_connection.create_function("local_day", 2, local_day, deterministic=True)

    return engine


def local_day(epoch_us: int | None, zone: str) -> int | None:
    """SQLite's ``local_day(us, zone)``: the day number (``date.toordinal``) of an instant's local
    date in ``zone``. SQLite has no time zones; PostgreSQL uses ``AT TIME ZONE`` instead
    (``store.credibility_review``)."""
    if epoch_us is None:
        return None
    moment = _EPOCH + timedelta(microseconds=epoch_us)
    return moment.astimezone(ZoneInfo(zone)).date().toordinal()


def make_sessionmaker(
    engine: AsyncEngine, signing_key: str | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (results outlive their transaction);
    register appends sign with ``signing_key`` (base64 seed; the development key when None)."""
    info = {"signing_key": signing_key} if signing_key else {}
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session inside one transaction, committed on success and rolled back on error."""
    async with sessions() as session, session.begin():
        yield session
