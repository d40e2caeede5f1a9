"""An escalation that falls behind (a review started long after its deadline, a worker outage)
catches up in one step: one breach at the level now due and one mail each, not a burst."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from domain import names
from domain.calendar import compute_deadline
from domain.reviews import GENERATE_REVIEW, review_id
from tests.deadline_support import (
    generated,
    month_key,
    seed_closure,
    start_review,
)
from tests.escalation_support import breaches, escalation_mails
from tests.factories import email
from tests.workflow_support import CALENDAR, LONDON, running_worker, wait_for

MARK = "mark-reviewed"


def level_due(deadline: datetime, now: datetime) -> tuple[int, datetime]:
    """The level the calendar says is due at NOW, and the instant it fell due."""
    level, at = 1, deadline
    while (nxt := compute_deadline(CALENDAR, "4 working hours", at).due_at) <= now:
        level, at = level + 1, nxt
    return level, at


async def test_a_review_started_weeks_late_escalates_once_at_the_level_now_due(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    now = await own_env.get_current_time()
    # A day in the month before last: its review's 5th-working-day deadline is weeks behind us.
    first_of_month = LONDON.local(now).date().replace(day=1)
    period_day = (first_of_month - timedelta(days=40)).replace(day=15)
    await seed_closure(sessions, "CC-LATE", LONDON.wall(period_day, time(12)))
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        review = await start_review(
            own_env, queue, names.EXAMPLE_CREDIBILITY, month_key(period_day), "closure-policy-v1"
        )
        await generated(review)
        rid = review_id(names.EXAMPLE_CREDIBILITY, month_key(period_day))
        [breach] = await wait_for(lambda: breaches(sessions, rid, MARK))
        started = await own_env.get_current_time()
        level, fell_due = level_due(breach.deadline.astimezone(UTC), started)
        assert level > 3  # weeks behind: dozens of 4-working-hour intervals
        assert (breach.level, breach.escalated_at) == (level, fell_due)
        mails = await escalation_mails(sessions, rid, MARK)
        recipients = sorted(m.recipient for m in mails)
        # One mail each to the analyst, the example's director and the board; no stale levels.
        assert len(recipients) == len(set(recipients)) == 3
        assert email("E-WXANALYST") in recipients
        assert len(await breaches(sessions, rid, MARK)) == 1

        # Its generation was as late as its review (same deadline): one catch-up breach too.
        [late] = await wait_for(lambda: breaches(sessions, rid, GENERATE_REVIEW))
        assert late.level == level
        generation = sorted(m.recipient for m in await escalation_mails(sessions, rid, late.step))
        assert generation == recipients

        def escalated() -> list[str]:
            return [m["To"] for m in inbox.messages if m["Subject"].startswith("Overdue, ")]

        async def delivered() -> bool:
            return len(escalated()) >= 6

        await wait_for(delivered)
        await asyncio.sleep(0.5)  # a stale level's mail, had there been one, would be in too
        assert sorted(escalated()) == sorted(recipients + generation)
