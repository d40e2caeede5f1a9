"""SMTP delivery (aiosmtplib). The Message-ID is derived from the outbox dedupe key, so a
re-delivery after a crash between send and commit is recognisable as the same message."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiosmtplib
from pydantic import BaseModel


class MailSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "nearmiss-governance@localhost"
    public_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/London"  # mails say times in the provider's local time
    timeout_seconds: float = 10.0


class _Folding(EmailPolicy):
    """The SMTP policy (CRLF, 78-column lines), but an ASCII subject folds after as many words
    as fit on its first line. The standard folder moves a whole subject that fits on a line of
    its own to the next line ("Subject:" CRLF " This is now yours: …"), which readers that
    unfold without trimming show with a leading space."""

    def fold(self, name: str, value: Any) -> str:
        if name.lower() == "subject" and str(value).isascii():
            return _wrap(name, str(value), self.max_line_length or 78, self.linesep)
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() == "subject" and str(value).isascii():
            return self.fold(name, value).encode("ascii")
        return bytes(super().fold_binary(name, value))


def _wrap(name: str, value: str, width: int, linesep: str) -> str:
    """``NAME: VALUE`` folded at spaces, the first word always on the first line (each
    continuation starts with the space it folds at), each line ended by LINESEP."""
    first, *rest = value.split(" ")
    lines = [f"{name}: {first}"]
    for word in rest:
        if len(lines[-1]) + 1 + len(word) > width:
            lines.append(" " + word)
        else:
            lines[-1] += " " + word
    return "".join(x + linesep for x in lines)


SMTP = _Folding(linesep="\r\n")


def build_message(
    settings: MailSettings,
    *,
    recipient: str,
    subject: str,
    body: str,
    dedupe_key: str,
    at: datetime,
) -> EmailMessage:
    """An RFC 5322 message with a stable Message-ID, dated AT (the sending attempt's instant on
    the activities' clock) in the provider's local time."""
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(at.astimezone(ZoneInfo(settings.timezone)))
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@nearmiss-governance>"
    message.set_content(body)
    return message


async def send(settings: MailSettings, message: EmailMessage) -> None:
    """Send one message, flattened with ``SMTP`` (its subject folded after the words that fit);
    raises on any SMTP or connection failure (the caller retries)."""
    await aiosmtplib.send(
        message.as_bytes(policy=SMTP),
        sender=settings.sender,
        recipients=[str(message["To"])],
        hostname=settings.host,
        port=settings.port,
        timeout=settings.timeout_seconds,
        start_tls=False,
        use_tls=False,
    )
