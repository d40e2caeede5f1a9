"""The keyset cursors of the paged lists (``GET /cases``, ``GET /me/work``, ``GET /escalations``
and the pages that show them): a position as an instant and the keys that break its ties,
opaque to clients (base64url of a JSON list, unpadded)."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from api.errors import FieldError, Unprocessable


def encode_cursor(at: datetime, *keys: str) -> str:
    """The opaque position of a row that sorts at ``at``, then by ``keys``."""
    raw = json.dumps([at.isoformat(), *keys]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, keys: int, message: str) -> tuple[datetime, list[str]]:
    """A cursor back to its instant (with an offset) and its ``keys`` strings; a field-level 422
    (``cursor``: ``message``) if it is not one ``encode_cursor`` gave with that many keys."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != keys + 1:
            raise ValueError(text)
        at = datetime.fromisoformat(values[0])
        if at.tzinfo is None or not all(isinstance(key, str) for key in values[1:]):
            raise ValueError(text)
    except (ValueError, TypeError):
        raise Unprocessable(
            "invalid request", [FieldError(field="cursor", message=message)]
        ) from None
    return at, values[1:]
