"""A pack named in words: "Weekly workforce sustainability review pack, week of Mon 7 Dec 2026",
"… for the cycle 23 Nov – 6 Dec 2026", "… for December 2026" (not "2026-W50", "2026-11-23",
"2026-12": the codes stay in links and the API)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from api.web.render import local_date
from domain import names
from domain.pack_periods import CYCLE_DAYS, MONTHS

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _day_month(day: date) -> str:
    return f"{day.day} {day:%b}"


def period_phrase(kind: str, period: str) -> str:
    """The words after a pack's title: ", week of Mon 7 Dec 2026", " for December 2026",
    " for the cycle 23 Nov – 6 Dec 2026"; " 2026-XX" for a period that names nothing."""
    try:
        if kind == names.PACK_WEEKLY and (week := _WEEK.fullmatch(period)):
            return f", week of {local_date(date.fromisocalendar(int(week[1]), int(week[2]), 1))}"
        if kind == names.PACK_MONTHLY and (month := _MONTH.fullmatch(period)):
            return f" for {MONTHS[int(month[2]) - 1]} {month[1]}"
        if kind == names.PACK_FORTNIGHTLY:
            first = date.fromisoformat(period)
            last = first + timedelta(days=CYCLE_DAYS - 1)
            start = _day_month(first) + ("" if first.year == last.year else f" {first.year}")
            return f" for the cycle {start} – {_day_month(last)} {last.year}"
    except (ValueError, IndexError):
        pass
    return f" {period}"


def pack_name(title: str, kind: str, period: str) -> str:
    """A pack's title and its period in words."""
    return f"{title}{period_phrase(kind, period)}"


def kind_of(period: str) -> str:
    """The pack kind a period code names ("2026-W50" weekly, "2026-12" monthly, a date the
    fortnightly summary's cycle), for a record that keeps only the period."""
    if _WEEK.fullmatch(period):
        return names.PACK_WEEKLY
    return names.PACK_MONTHLY if _MONTH.fullmatch(period) else names.PACK_FORTNIGHTLY
