"""The mail outbox: queueing is idempotent (dedupe key); delivery marks each mail sent once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import OutboxMessage


async def queue_message(
    session: AsyncSession,
    *,
    dedupe_key: str,
    recipient: str,
    subject: str,
    body: str,
    at: datetime,
) -> int:
    """Queue one mail; the same dedupe key queues nothing new and returns the existing ID."""
    existing = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if existing is not None:
        return int(existing)
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        recipient=recipient,
        subject=subject,
        body=body,
        created_at=at,
        attempts=0,
    )
    session.add(message)
    await session.flush()
    return int(message.id)


async def unsent(session: AsyncSession, ids: list[int] | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    return list((await session.scalars(query)).all())
