"""Page form submissions by Idempotency-Key: a retried or double-clicked post applies once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from store.tables import FormSubmission


async def find_submission(session: AsyncSession, key: str) -> FormSubmission | None:
    """The submission already made with ``key`` (None if this key is new)."""
    return await session.get(FormSubmission, key)


async def record_submission(
    session: AsyncSession, key: str, *, employee_id: str, feed: str, record_key: str, at: datetime
) -> None:
    """Remember that ``key`` stored ``record_key`` in ``feed`` (a second insert of it conflicts)."""
    session.add(
        FormSubmission(
            idempotency_key=key,
            employee_id=employee_id,
            feed=feed,
            record_key=record_key,
            submitted_at=at,
        )
    )
    await session.flush()
