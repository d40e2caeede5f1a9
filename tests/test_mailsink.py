"""The development mail sink (started by `make run`) stores what the service sends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from cli.mailsink import MailDir
from infra import mail
from tests.fixtures.mail import free_port


async def test_mail_sink_writes_each_message_to_a_file(tmp_path, capsys):
    port = free_port()
    controller = Controller(MailDir(tmp_path / "mail"), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = mail.MailSettings(port=port)
        message = mail.build_message(
            settings,
            recipient="a@example-care.org.uk",
            subject="Escalation",
            body="overdue",
            dedupe_key="k1",
            at=datetime(2026, 12, 7, 10, tzinfo=UTC),
        )
        await mail.send(settings, message)
    finally:
        await asyncio.to_thread(controller.stop)
    [stored] = sorted((tmp_path / "mail").glob("*.eml"))
    assert b"Subject: Escalation" in stored.read_bytes()
    assert "mail to a@example-care.org.uk: Escalation" in capsys.readouterr().out
    assert isinstance(message, EmailMessage)
