"""My work's hint while a review just marked reviewed is still opening its cases: until its
workflow has started them all, the list shows only some, so the page says it will fill in."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from api.temporal_calls import Unavailable, workflow_status
from api.web.work_words import review_name
from store.tables import Review

# Opening a review's cases takes seconds to minutes; a review marked longer ago is not asked.
RECENT = timedelta(hours=1)
# The hint is extra: with Temporal down, give up quickly and show My work without it.
HINT_TIMEOUT = timedelta(seconds=2)


async def reviews_opening(request: Request, session: AsyncSession, now: datetime) -> list[str]:
    """The names of reviews marked reviewed within the last hour whose workflow still runs (it
    opens the cases, then ends); [] when Temporal cannot be asked. My work never waits to
    connect: it asks only over a client already connected (marking a review connects it)."""
    marked = (
        await session.scalars(
            select(Review).where(Review.status == "reviewed", Review.reviewed_at >= now - RECENT)
        )
    ).all()
    client: Client | None = getattr(request.app.state, "temporal_client", None)
    if not marked or client is None:
        return []
    # All asked at once (one wait, not one per review); every answer is awaited, none left
    # unretrieved. Any call failing to reach Temporal (mapped to Unavailable) means it cannot be
    # asked.
    statuses = await asyncio.gather(
        *(workflow_status(client, review.review_id, rpc_timeout=HINT_TIMEOUT) for review in marked),
        return_exceptions=True,
    )
    for answer in statuses:
        if isinstance(answer, Unavailable | TimeoutError | OSError | RPCError):
            return []
        if isinstance(answer, BaseException):
            raise answer
    return [
        review_name(review.example, review.period)
        for review, status in zip(marked, statuses, strict=True)
        if status == WorkflowExecutionStatus.RUNNING
    ]
