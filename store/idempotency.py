"""Idempotency-Keys used up by accepted requests (the API's keyed Temporal updates)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import IdempotencyKeyUse


async def key_fingerprint(session: AsyncSession, key: str, since: datetime) -> str | None:
    """The fingerprint of the accepted request that used ``key`` at ``since`` or later (None:
    unused, or its use has expired)."""
    use = await session.get(IdempotencyKeyUse, key)
    return use.fingerprint if use is not None and use.used_at >= since else None


async def use_key(
    session: AsyncSession, key: str, fingerprint: str, at: datetime, since: datetime
) -> None:
    """Record that an accepted request with ``fingerprint`` used ``key``, and delete the keys
    used before ``since`` (their retention is over): one statement on PostgreSQL.

    Idempotent: a retry of the same request finds it recorded already, and a use of ``key``
    still retained is kept; an expired one is replaced by this one."""
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    row = insert(IdempotencyKeyUse).values(idempotency_key=key, fingerprint=fingerprint, used_at=at)
    statement = row.on_conflict_do_update(
        index_elements=[IdempotencyKeyUse.idempotency_key],
        set_={"fingerprint": row.excluded.fingerprint, "used_at": row.excluded.used_at},
        where=IdempotencyKeyUse.used_at < since,
    )
    expired = delete(IdempotencyKeyUse).where(
        IdempotencyKeyUse.used_at < since, IdempotencyKeyUse.idempotency_key != key
    )
    if dialect == "postgresql":  # a data-modifying WITH runs even though nothing reads it
        await session.execute(statement.add_cte(expired.cte("expired")))
        return
    await session.execute(expired)
    await session.execute(statement)
