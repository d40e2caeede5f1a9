"""Mail server down: escalation mails wait in the outbox while SMTP is unreachable (a loopback
proxy the test owns in front of a real SMTP server) and are all delivered once it returns, each
with the Message-ID derived from its dedupe key, so a re-delivery is recognisable. Time-skipping
server: the breach at 09:30 and the delivery retries run on its clock."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from infra.mail import MailSettings, build_message
from store.tables import Breach, OutboxMessage
from tests.factories import load, staff_rows
from tests.fault_support import TcpProxy
from tests.workflow_support import (
    LONDON,
    review_generated,
    running_worker,
    skip,
    skip_to,
    start_review,
    wait_for,
)

pytestmark = pytest.mark.faults


async def _outbox(sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list((await session.scalars(select(OutboxMessage))).all())


async def test_escalation_mails_wait_for_the_mail_server_and_arrive_once_it_returns(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, smtp_port = smtp_server
    proxy = TcpProxy("127.0.0.1", smtp_port)
    await proxy.start()
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    day = LONDON.next_working_day(LONDON.local(await own_env.get_current_time()).date())
    try:
        async with running_worker(own_env, sessions, smtp_port=proxy.port) as queue:
            review = await start_review(own_env.client, queue, day)
            await wait_for(lambda: review_generated(review))
            proxy.cut()  # the mail server is down from here
            await skip_to(own_env, day, time(9, 31))  # the review's 09:30 deadline passes

            async def failing() -> list[OutboxMessage] | None:
                # Escalations only: the "this is now yours" mail may have left before the cut.
                rows = [m for m in await _outbox(sessions) if m.dedupe_key.startswith("breach:")]
                return (
                    rows if rows and all(m.attempts >= 2 and not m.sent_at for m in rows) else None
                )

            down = await wait_for(failing, within=60)
            await skip(own_env, timedelta(minutes=30), step=timedelta(minutes=10))
            assert not [m for m in inbox.messages if m["Subject"].startswith("Overdue, ")]
            proxy.restore()
            await skip(own_env, timedelta(minutes=11), step=timedelta(minutes=11))

            async def delivered() -> list[OutboxMessage] | None:
                rows = await _outbox(sessions)
                return rows if rows and all(m.sent_at for m in rows) else None

            sent = await wait_for(delivered, within=60)
    finally:
        await proxy.close()
    async with sessions() as session:
        breaches = (await session.scalars(select(Breach))).all()
    expected_ids = {
        build_message(MailSettings(), recipient=m.recipient, subject=m.subject, body=m.body,
                      dedupe_key=m.dedupe_key, at=m.sent_at)["Message-ID"]
        for m in sent
    }  # fmt: skip
    received = [m["Message-ID"] for m in inbox.messages]
    print(
        f"\nmail server down: {len(down)} escalation mail(s) held (at least "
        f"{min(m.attempts for m in down)} failed attempts each), {len(breaches)} breach(es) "
        f"recorded meanwhile; after it returned: "
        f"{len(set(received))} of {len(sent)} delivered, {len(received) - len(set(received))} "
        f"duplicate(s), Message-IDs stable: {set(received) == expected_ids}"
    )
    assert breaches and len(down) >= 1
    assert set(received) == expected_ids  # none lost, each recognisable by its Message-ID
    assert all(m.last_error is None for m in sent)
