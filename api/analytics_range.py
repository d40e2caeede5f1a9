"""What every analytics endpoint shares: the range query (``from``, ``to``: dates the service can
count over, at most five years apart), the period query, the JSON envelope, and what a period
analytics route asks for (``PeriodAsk``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query, Request

from api.authz import Authorized
from api.deps import SessionDep, SettingsDep
from api.errors import FieldError, Unprocessable
from domain.analytics import PeriodKind
from store.analytics import Grouping

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


class PeriodAsk:
    """What every ``/analytics`` period route reads, after the caller is authorized: the
    request (a browser gets a page), its session and settings, the range (``from``, ``to``;
    checked here: a field-level 422 on ``to``), the grouping and the period. A route names its
    own period default by ``Depends(partial(PeriodAsk, period=...))``: ``/workforce`` counts by
    month, ``/series`` by week."""

    def __init__(
        self,
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        actor: Authorized,
        start: From,
        end: To,
        group: Grouping = "service_line",
        period: Period = "month",
    ) -> None:
        check_range(start, end)
        self.request, self.session, self.settings, self.actor = request, session, settings, actor
        self.start, self.end, self.group, self.period = start, end, group, period

    def query(self) -> dict[str, Any]:
        """What was asked, as a page's links and form repeat it."""
        return {"group": self.group, "start": self.start, "end": self.end, "period": self.period}


PAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}


def envelope(group: str, start: date, end: date, **body: Any) -> dict[str, Any]:
    """The range and grouping asked for, then the body."""
    return {"group": group, "from": start.isoformat(), "to": end.isoformat(), **body}
