"""A development mail server: `make run` starts it on NEARMISS_SMTP_HOST:PORT so reminders,
escalations and confirmation requests can be read as files under ``<data dir>/mail/``."""

from __future__ import annotations

import sys
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class MailDir:
    """Writes every accepted message to ``<dir>/<n>.eml`` and prints one line about it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.count = len(list(directory.glob("*.eml")))

    async def handle_DATA(  # noqa: N802 - the aiosmtpd hook name
        self,
        server: Any,  # noqa: ARG002
        session: Any,  # noqa: ARG002
        envelope: Any,
    ) -> str:
        self.count += 1
        path = self.directory / f"{self.count:06d}.eml"
        path.write_bytes(envelope.content)
        message = message_from_bytes(envelope.content)
        print(f"mail to {message['To']}: {message['Subject']} ({path})", flush=True)  # noqa: T201
        return "250 Message accepted for delivery"


def main(host: str, port: int, directory: str) -> None:
    """Serve until terminated."""
    controller = Controller(MailDir(Path(directory)), hostname=host, port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
