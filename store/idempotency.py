"""Idempotency-Keys used up by accepted requests (the API's keyed Temporal updates)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import IdempotencyKeyUse


async def key_fingerprint(session: AsyncSession, key: str, since: datetime) -> str | None:
    """The fingerprint of the accepted request that used ``key`` at ``since`` or later (None:
    unused, or its use has expired)."""
    use = await session.get(IdempotencyKeyUse, key)
    return use.fingerprint if use is not None and use.used_at >= since else None


async def expire_keys(session: AsyncSession, before: datetime) -> int:
    """Delete the keys used before ``before`` (their retention is over); how many."""
    result = await session.execute(
        delete(IdempotencyKeyUse).where(IdempotencyKeyUse.used_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def use_key(session: AsyncSession, key: str, fingerprint: str, at: datetime) -> None:
    """Record that an accepted request with ``fingerprint`` used ``key`` (idempotent: a retry of
    the same request finds it recorded already)."""
    try:
        async with session.begin_nested():
            session.add(IdempotencyKeyUse(idempotency_key=key, fingerprint=fingerprint, used_at=at))
    except IntegrityError:
        pass  # recorded by the first answer of the same request
