"""What a mail's headers say, read from the bytes a real SMTP server on loopback received: a
Date from the sending attempt's instant (the activities' clock, in the provider's local time),
and a long subject folded after the words that fit on its first line, so that unfolding it gives
the subject back exactly (no line holding "Subject:" alone, no leading space)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from typing import Any

from aiosmtpd.controller import Controller
from temporalio.testing import ActivityEnvironment

from activities.cases import CaseActivities
from activities.deps import ActivityDeps
from infra.mail import MailSettings
from store import outbox
from store.db import transaction
from tests.fixtures.mail import free_port

AT = datetime(2026, 7, 1, 11, 30, tzinfo=UTC)  # British Summer Time: 12:30 +0100
SUBJECTS = (
    "This is now yours: Acknowledgment-recovery pathway (near miss NM-10003)",
    "This is now yours: Closure-credibility adjudication (closed case CC-0006)",
    "This is now yours: Mark the review reviewed (fortnightly learning-visibility audit of the "
    "cycle 23 Nov – 6 Dec 2026)",
    "Register checkpoint, Mon 7 Dec 2026",
)


class _Raw:
    """Keeps the bytes of each message the server accepts."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"


async def test_received_mails_carry_the_clock_s_date_and_subjects_that_unfold_whole(
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    raw = _Raw()
    port = free_port()
    controller = Controller(raw, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        async with transaction(sessions) as session:
            ids = [
                await outbox.queue_message(
                    session,
                    dedupe_key=f"k{n}",
                    recipient="a@example-care.org.uk",
                    subject=subject,
                    body="Dear A,\n\nsee it here.",
                    at=AT,
                )  # fmt: skip
                for n, subject in enumerate(SUBJECTS)
            ]
        cases = CaseActivities(ActivityDeps(sessions=sessions, mail=MailSettings(port=port)))
        env = ActivityEnvironment()
        env.info = dataclasses.replace(env.info, current_attempt_scheduled_time=AT)
        assert await env.run(cases.deliver_notifications, ids) == len(SUBJECTS)
    finally:
        controller.stop()
    assert len(raw.received) == len(SUBJECTS)
    for content in raw.received:
        parsed = message_from_bytes(content, policy=policy.default)
        assert parsed["Date"] == "Wed, 01 Jul 2026 12:30:00 +0100"
        assert parsedate_to_datetime(parsed["Date"]) == AT
        subject_line = next(x for x in content.split(b"\r\n") if x.startswith(b"Subject:"))
        assert subject_line.startswith(b"Subject: This is now yours: ") or (
            subject_line == b"Subject: Register checkpoint, Mon 7 Dec 2026"
        )
        assert max(len(x) for x in content.split(b"\r\n")) <= 78
        # Unfolded as RFC 5322 says (CRLF removed, the folding space kept), by either parser.
        assert parsed["Subject"] in SUBJECTS
        legacy = message_from_bytes(content)["Subject"]
        assert legacy.replace("\r\n", "").replace("\n", "") in SUBJECTS or "=?utf-8?" in legacy
    assert {message_from_bytes(c, policy=policy.default)["Subject"] for c in raw.received} == set(
        SUBJECTS
    )
