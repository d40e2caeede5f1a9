"""My work's hint while a review just marked reviewed is still opening its cases: until its
workflow has started them all, the list shows only some, so the page says it will fill in.

Only to those it concerns: who marked the review, and the holders of the step its cases open at
(the walk of 8 December showed the closure analyst, who has no part in it, that the daily
acknowledgment review's cases were opening).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from api.deps import Actor
from api.temporal_calls import Unavailable, workflow_status
from api.web.work_words import review_name
from domain.examples import first_step
from store.tables import Review

# Opening a review's cases takes seconds to minutes; a review marked longer ago is not asked.
RECENT = timedelta(hours=1)
# The hint is extra: with Temporal down, give up quickly and show My work without it.
HINT_TIMEOUT = timedelta(seconds=2)


def concerns(review: Review, actor: Actor) -> bool:
    """Whether a review's cases opening concerns ACTOR: they marked it, or they hold the step
    its cases open at (the cases will be theirs)."""
    step = first_step(review.example)
    return review.reviewed_by == actor.employee_id or (
        step.role is not None and step.role in actor.roles
    )


async def reviews_opening(
    request: Request, session: AsyncSession, actor: Actor, now: datetime
) -> list[str]:
    """The names of reviews marked reviewed within the last hour whose workflow still runs (it
    opens the cases, then ends) and that concern ACTOR; [] when Temporal cannot be asked. My
    work never waits to connect: it asks only over a client already connected (marking a
    review connects it)."""
    recent = await session.scalars(
        select(Review).where(Review.status == "reviewed", Review.reviewed_at >= now - RECENT)
    )
    marked = [review for review in recent if concerns(review, actor)]
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
