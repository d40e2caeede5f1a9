"""What every analytics endpoint shares: the range query (``from``, ``to``: dates the service can
count over, at most five years apart), the period query, and the JSON envelope."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query

from api.errors import FieldError, Unprocessable
from domain.analytics import PeriodKind

# Dates the service can count over (no period before 2000 or after 2100 exists for it).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
From = Annotated[
    date,
    Query(alias="from", description="first day of the range (inclusive)", ge=EARLIEST, le=LATEST),
]
To = Annotated[
    date,
    Query(alias="to", description="last day of the range (inclusive)", ge=EARLIEST, le=LATEST),
]
Period = Annotated[PeriodKind, Query(description="ISO week or calendar month")]


MAX_RANGE_DAYS = 1_830  # five years: a wider range would be one request's unbounded work


def check_range(start: date, end: date) -> None:
    """A field-level 422 for ``to`` before ``from`` or a range wider than ``MAX_RANGE_DAYS``."""
    if end < start:
        raise Unprocessable("invalid range", [FieldError(field="to", message="before `from`")])
    if (end - start).days >= MAX_RANGE_DAYS:
        message = f"at most {MAX_RANGE_DAYS} days after `from`"
        raise Unprocessable("invalid range", [FieldError(field="to", message=message)])


PAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}


def envelope(group: str, start: date, end: date, **body: Any) -> dict[str, Any]:
    """The range and grouping asked for, then the body."""
    return {"group": group, "from": start.isoformat(), "to": end.isoformat(), **body}
