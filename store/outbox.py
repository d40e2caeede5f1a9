"""The mail outbox: queueing is idempotent (dedupe key); delivery marks each mail sent once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from store.staff import get_staff
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
    """Queue one mail; the same dedupe key queues nothing new and returns the existing ID (one
    round trip when new: ``INSERT … ON CONFLICT DO NOTHING RETURNING``)."""
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = await session.scalar(
        insert(OutboxMessage)
        .values(
            dedupe_key=dedupe_key,
            recipient=recipient,
            subject=subject,
            body=body,
            created_at=at,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    if added is not None:
        return int(added)
    existing = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    assert existing is not None  # the conflict was on this key
    return int(existing)


async def unsent(session: AsyncSession, ids: list[int] | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    return list((await session.scalars(query)).all())


async def ask_worker(
    session: AsyncSession,
    employee_id: str,
    link: str,
    *,
    dedupe_key: str,
    subject: str,
    body: Callable[[str, str], str],
    at: datetime,
) -> list[int]:
    """Queue (once per DEDUPE_KEY) a question to a case's reporting worker, BODY written from
    their name and LINK; nothing to a worker unknown to the directory or no longer active."""
    worker = await get_staff(session, employee_id) if employee_id else None
    if worker is None or not worker.active:
        return []
    message_id = await queue_message(
        session,
        dedupe_key=dedupe_key,
        recipient=worker.email,
        subject=subject,
        body=body(worker.display_name, link),
        at=at,
    )
    return [message_id]
