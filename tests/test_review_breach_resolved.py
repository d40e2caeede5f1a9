"""A review's breach is resolved when it is marked reviewed, and GET /escalations tells a review
from a case (issue 10, item 3)."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

from sqlalchemy import select

from domain import names
from domain.periodic import MarkReviewed
from store.tables import Breach
from tests.factories import load, staff_rows
from tests.workflow_support import (
    LONDON,
    actor,
    review_generated,
    running_worker,
    skip_to,
    start_review,
    wait_for,
)


async def test_marking_a_late_review_resolves_its_breach(
    own_env, sqlite_url, sessions_for, api_for, smtp_server
):
    _inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    day = LONDON.next_working_day(LONDON.local(await own_env.get_current_time()).date())
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        review = await start_review(own_env.client, queue, day)
        await wait_for(lambda: review_generated(review))
        await skip_to(own_env, day, time(9, 31))

        async def listed():
            rows = (await api.get("/escalations", "E-BOARD")).json()
            return [r for r in rows if r["case_id"] == review.id]

        [row] = await wait_for(listed)
        assert row["kind"] == "review" and row["step"] == "mark-reviewed" and row["level"] == 1
        await review.execute_update(
            names.UPDATE_MARK_REVIEWED,
            MarkReviewed(actor=actor("E-ANALYST")),
            rpc_timeout=timedelta(seconds=30),
        )
        await asyncio.wait_for(review.result(), 60)
        assert await listed() == []
        async with sessions() as session:
            breaches = (await session.scalars(select(Breach))).all()
        assert breaches and all(b.resolved_at is not None for b in breaches)
