"""A step's opening (``open_step``) with a mail server that accepts connections and never
answers (SQLite and PostgreSQL): the opening returns its values with the mails it could not send
left to their own activity, within its attempt, instead of waiting on every mail in turn; past
the attempt's timeout it was retried, its values fetched again and the administrators told that
the values fail."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from activities.cases import CaseActivities
from activities.deps import ActivityDeps
from activities.opening import StepOpening
from domain import names
from domain.cases import ObligationNotice, ProjectionUpdate
from domain.step_opening import OpenStepRequest
from infra.mail import MailSettings
from store.tables import OutboxMessage
from tests.factories import load, staff_rows

AT = datetime(2026, 12, 7, 10, tzinfo=UTC)
OWERS = ("E-ANALYST", "E-SUPERVISOR", "E-MANAGER", "E-DIRECTOR")


async def _values(arg: dict[str, Any]) -> dict[str, Any]:
    return {"echo": arg["n"]}


def _request() -> OpenStepRequest:
    projection = ProjectionUpdate(
        case_id="ack-case-NM-1", example=names.EXAMPLE_ACKNOWLEDGMENT, reference="NM-1",
        review_id="ack-review-2026-12-07", service_line="HC-NORTH", exposure="critical",
        stage="triage-attribution", status="open", assigned_role=None, assignee=None,
        deadline=AT + timedelta(days=1), escalation_level=0, opened_at=AT, at=AT,
    )  # fmt: skip
    notices = [
        ObligationNotice(
            subject="ack-case-NM-1",
            example=names.EXAMPLE_ACKNOWLEDGMENT,
            obligation=f"step-{n}",
            title="Triage-failure attribution",
            role=None,
            assignee=who,
            deadline=AT + timedelta(days=1),
            opened_at=AT,
        )  # fmt: skip
        for n, who in enumerate(OWERS)
    ]
    return OpenStepRequest(
        projection=projection, notices=notices, values_activity="values", values_arg={"n": 7}
    )


async def test_a_hanging_mail_server_does_not_hold_the_opening(sessions) -> None:  # type: ignore[no-untyped-def]
    await load(sessions, "staff-directory", staff_rows())

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read()  # no greeting: the client waits out its timeout, then hangs up
        finally:
            writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    deps = ActivityDeps(sessions=sessions, mail=MailSettings(port=port, timeout_seconds=1.5))
    opening = StepOpening(deps, CaseActivities(deps), {"values": _values})
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, start_to_close_timeout=timedelta(seconds=3))
    try:
        result = await env.run(opening.open_step, _request())
    finally:
        server.close()
        await server.wait_closed()
    async with sessions() as session:
        mails = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert result.values == {"echo": 7}
    assert sorted(result.undelivered) == [m.id for m in mails] and len(mails) == len(OWERS)
    tried = [m.attempts for m in mails]
    print(f"send attempts per mail within the opening: {tried}")
    assert tried[0] == 1 and 0 in tried  # the rest left to the delivery activity, untried
    assert all(m.sent_at is None for m in mails)
