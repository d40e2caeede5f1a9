"""Words for owed work that the API's JSON and the staff pages share: a review's name and the
working time left to a deadline (no page imports, so the API routers may use them too)."""

from __future__ import annotations

from datetime import date, datetime

from domain.calendar import BusinessCalendar
from domain.mail_words import capital, review_words


def review_name(example: str, period: str) -> str:
    """A review as people know it: "Daily acknowledgment review of Fri 4 Dec 2026",
    "Fortnightly learning-visibility audit of the cycle 23 Nov – 6 Dec 2026", "Monthly
    closure-credibility review of November 2026" (the same words as its mails)."""
    return capital(review_words(example, period))


def _span(hours: float, day_hours: float) -> str:
    minutes = round(hours * 60)
    days, rest = divmod(minutes, round(day_hours * 60))
    parts = [f"{days} working day{'s' if days != 1 else ''}"] if days else []
    h, m = divmod(rest, 60)
    if h:
        parts.append(f"{h} h")
    if m or not parts:
        parts.append(f"{m} min")
    return " ".join(parts)


def time_left(calendar: BusinessCalendar, now: datetime, due: datetime | None) -> str:
    """Working time to the deadline ("1 working day 3 h left"), or how far past it."""
    if due is None:
        return "no deadline"
    config = calendar.config
    day = datetime.combine(date.min, config.working_day_end) - datetime.combine(
        date.min, config.working_day_start
    )
    day_hours = day.total_seconds() / 3600 or 8.0
    if due > now:
        return f"{_span(calendar.working_hours_between(now, due), day_hours)} left"
    late = calendar.working_hours_between(due, now)
    if round(late * 60) == 0:
        return "overdue, no working time since"
    span = _span(late, day_hours)  # "working days" already says it; hours and minutes do not
    return f"overdue by {span}" + ("" if "working day" in span else " of working time")
