"""A case never waits silently (issue 10, item 1): a record the values query cannot read (a NUL
stored before the boundary refused it) leaves step 3 open with its deadline running; a submission
is a 409 "not ready", the administrators get the cause, the deadline escalates, and once the
record is fixed the values arrive and the step is accepted. PostgreSQL (where NUL breaks JSON)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select

from domain.acknowledgment_steps import RETENTION_DOCUMENTS, RETENTION_IMPACT
from store.tables import Breach, SourceRecord
from tests.acknowledgment_support import (
    TRIAGE_DOCS,
    attribution_fields,
    impact_fields,
    open_docs,
    review_and_open_case,
)
from tests.factories import email
from tests.workflow_support import (
    case_state,
    next_working_day,
    rejection,
    running_worker,
    skip,
    skip_to,
    submit,
    wait_for,
    wait_stage,
)

pytestmark = [pytest.mark.postgres, pytest.mark.dated]  # dated: again as of a risky start date

CONCERNS = "workforce-concern-register"
POISON = {"concern_id": "C-POISON", "employee_id": "E10\u000001", "status": "open"}


async def poison(sessions) -> None:
    """A record as an old, unguarded import stored it: NUL inside a JSON string."""
    async with sessions() as session, session.begin():
        session.add(
            SourceRecord(
                feed=CONCERNS,
                key="C-POISON",
                version=1,
                content=POISON,
                content_hash="0" * 64,
                received_at=datetime.now(UTC),
            )
        )


async def _true(value):
    return value


async def test_unreadable_record_opens_step_with_deadline_409_alert_escalation(
    own_env, postgres_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(postgres_url)
    step = RETENTION_IMPACT.slug
    # The values are retried once a minute of server time while the skips run: open the step at
    # 09:30 on a working day, so its 4 working hours end that day (opened on the eve of a long
    # weekend, the skip to its deadline was days long, thousands of retries past the timeout).
    await skip_to(own_env, await next_working_day(own_env), time(9, 30))
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await review_and_open_case(own_env, sessions, queue, "NM-POISON-1")
        state = await wait_stage(case, "triage-attribution")
        await poison(sessions)
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        await submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))

        async def opened():
            s = await case_state(case)
            return s.stage == step and step in s.obligations and s

        state = await wait_for(opened)
        assert step not in state.computed  # the values cannot be read ...
        deadline = state.obligations[step].deadline  # ... and the deadline runs all the same
        fields = {**impact_fields_stub(), "impact_level": "high"}
        not_ready = await rejection(submit(case, step, "E-MANAGER", fields))
        assert not_ready.type == "MissingPrerequisite" and "not ready" in not_ready.message

        await skip(own_env, timedelta(seconds=40), step=timedelta(seconds=5))
        alerts = await wait_for(lambda: _true(inbox.to(email("E-ADMIN"))))
        text = alerts[0].get_payload(decode=True).decode()
        assert "Cause:" in text and "unsupported Unicode escape sequence" in text, text
        timeline = [e.kind for e in (await case_state(case)).timeline]
        assert "values_failing" in timeline

        await skip(own_env, deadline - await own_env.get_current_time() + timedelta(minutes=5))
        await wait_for(lambda: _true(inbox.to(email("E-MANAGER"))))
        async with sessions() as session:
            levels = (await session.scalars(select(Breach.level).where(Breach.step == step))).all()
        assert 1 in levels

        async with sessions() as session, session.begin():
            await session.execute(delete(SourceRecord).where(SourceRecord.key == "C-POISON"))
        await skip(own_env, timedelta(minutes=2), step=timedelta(seconds=20))
        state = await wait_stage(case, step)
        await open_docs(case, "E-MANAGER", RETENTION_DOCUMENTS)
        receipt = await submit(case, step, "E-MANAGER", impact_fields(state, "high"))
        assert receipt["late"] is True
        await asyncio.wait_for(wait_stage(case, "recovery-pathway"), 30)


def impact_fields_stub():
    """Fields a manager might send before the values exist (the values decide; not judged)."""
    return {"impact_level": "high", "note": "waiting"}
