"""Pathway date checks compare the provider's local date, not the UTC one.

In British Summer Time, 00:30 in London is still yesterday in UTC: a pathway deadline of
yesterday (local) is in the past there and must be refused, although its UTC date is "today".
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from tests.acknowledgment_support import RECOVERY, case_at_recovery_pathway, pathway_fields
from tests.workflow_support import (
    LONDON,
    local_today,
    rejection,
    running_worker,
    skip_until,
    submit,
)


async def test_a_deadline_of_yesterday_is_refused_just_after_midnight_in_summer_time(
    own_env, sqlite_url, sessions_for, smtp_server
):
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    now = await own_env.get_current_time()
    june = datetime(now.year if now.month < 6 else now.year + 1, 6, 14, 12, tzinfo=UTC)
    await skip_until(own_env, june, step=timedelta(days=1))
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-BST-1")
        tomorrow = await local_today(own_env) + timedelta(days=1)
        just_after_midnight = LONDON.wall(tomorrow, time(0, 30))
        assert just_after_midnight.astimezone(UTC).date() < tomorrow  # summer time
        await skip_until(own_env, just_after_midnight.astimezone(UTC))
        today = await local_today(own_env)
        assert today == tomorrow
        yesterday = (today - timedelta(days=1)).isoformat()
        fields = pathway_fields(today, worker_communication_deadline=yesterday)
        refused = await rejection(submit(case, RECOVERY, "E-DIRECTOR", fields))
        assert refused.type == "InvalidFields", refused
        assert "worker_communication_deadline" in str(refused.details), refused.details
        accepted = await submit(case, RECOVERY, "E-DIRECTOR", pathway_fields(today))
        assert accepted["late"] is True
