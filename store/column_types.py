"""Column types shared by the tables: an instant stored in UTC and read back aware on every
backend, big integer keys that autoincrement on SQLite too, and JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# BigInteger autoincrement does not work on SQLite; Integer there, BIGINT on PostgreSQL.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON()


class UtcDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and read back aware (UTC) on every backend.

    SQLite keeps no offset: an aware value would be stored as its local wall time and read back
    naive. Converting to UTC on the way in and attaching UTC on the way out makes SQLite and
    PostgreSQL return the same instants. Naive values are taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC) if dialect.name != "sqlite" else value
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        """None on asyncpg: it reads a ``timestamptz`` as an aware UTC datetime already (what
        ``process_result_value`` returns), and the call per value was a measurable share of a
        pack's CPU (bench/RESULTS.md, "pack builds"); SQLite's naive values are still made UTC."""
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 (the signature SQLAlchemy calls)
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Instant = UtcDateTime()
