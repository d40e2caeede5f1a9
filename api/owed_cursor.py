"""The cursor of "my work" (the page and ``GET /me/work``): where the previous page ended;
and the due bands both count by.

The cursor is opaque to callers, like ``GET /cases``'s: the last obligation's place
(``sort_at``, case ID, key, severity rank), so the next page is one range of an index, however
deep. A cursor we did not give is a field-level 422.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.errors import FieldError, Unprocessable
from api.page_cursor import decode_cursor, encode_cursor
from config.settings import Settings
from store.my_work import CaseOwed, OwedAfter


def owed_cursor(last: CaseOwed) -> str:
    """The opaque position after ``last`` in the order of "my work"."""
    return encode_cursor(last.sort_at, last.case.case_id, last.key, str(last.rank))


def read_owed_cursor(text: str) -> OwedAfter:
    """A cursor back to the place it names; a field-level 422 if it is not one we gave."""
    message = "not a cursor from a page of my work"
    sort_at, (case_id, key, rank) = decode_cursor(text, 3, message)
    if rank not in ("0", "1", "2"):
        raise Unprocessable("invalid request", [FieldError(field="cursor", message=message)])
    return OwedAfter(sort_at, case_id, key, int(rank))


def due_bands(now: datetime, settings: Settings) -> tuple[datetime, datetime]:
    """The end of the provider's today, and a week after it (UTC): "due later today" and "due in
    the next 7 days" in the counts of what is owed."""
    zone = ZoneInfo(settings.timezone)
    end = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(), zone)
    return end.astimezone(UTC), (end + timedelta(days=7)).astimezone(UTC)
