"""SMTP delivery (aiosmtplib). The Message-ID is derived from the outbox dedupe key, so a
re-delivery after a crash between send and commit is recognisable as the same message."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

import aiosmtplib
from pydantic import BaseModel


class MailSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "nearmiss-governance@localhost"
    public_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/London"  # mails say times in the provider's local time
    timeout_seconds: float = 10.0


def build_message(
    settings: MailSettings, *, recipient: str, subject: str, body: str, dedupe_key: str
) -> EmailMessage:
    """An RFC 5322 message with a stable Message-ID."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = subject
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@nearmiss-governance>"
    message.set_content(body)
    return message


async def send(settings: MailSettings, message: EmailMessage) -> None:
    """Send one message; raises on any SMTP or connection failure (the caller retries)."""
    await aiosmtplib.send(
        message,
        hostname=settings.host,
        port=settings.port,
        timeout=settings.timeout_seconds,
        start_tls=False,
        use_tls=False,
    )
