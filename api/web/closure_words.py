"""A worker's closure in words: how it was closed, and what happens after their answer.

One source for the confirmation form, its receipt and "my reports", so the three never tell a
worker different things (``store.worker_closures`` reads the facts).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.web.render import local_time
from domain.calendar import CalendarConfig, calendar_for
from domain.credibility import next_month
from domain.mail_words import period_words
from domain.names import EXAMPLE_CREDIBILITY
from domain.reviews import REVIEWS
from store.worker_closures import CLOSED_AGAIN, Closure

CATEGORY_WORDS = {
    "closed_with_escalation": "closed, with the matter escalated to the board",
    "repaired": "closed after its closure was repaired",
}


def category_words(category: str) -> str:
    """ "corrective_action_completed" → "Corrective action completed"."""
    words = CATEGORY_WORDS.get(category) or category.replace("_", " ").replace("-", " ")
    return words[:1].upper() + words[1:]


def _month(at: datetime, tz: str) -> tuple[str, str]:
    """The closure's month and the month after it, in words ("October 2026", "November 2026")."""
    local = at.astimezone(ZoneInfo(tz)).date()
    after = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return period_words(f"{local:%Y-%m}"), period_words(f"{after:%Y-%m}")


def next_review_run(config: CalendarConfig, now: datetime) -> datetime:
    """When the next monthly closure review runs after ``now``: 07:00 (its ``as_of``) local on
    the first working day of this month, or else of the next."""
    calendar = calendar_for(config)
    zone = ZoneInfo(config.timezone)
    at = time.fromisoformat(REVIEWS[EXAMPLE_CREDIBILITY].as_of_local_time)
    first = now.astimezone(zone).date().replace(day=1)
    while True:
        day = first
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        run = datetime.combine(day, at, tzinfo=zone)
        if run > now:
            return run
        first = next_month(first)


def what_next(closure: Closure, tz: str, next_review: datetime | None = None) -> str:
    """What happens after the worker's answer, only as far as the service really does it
    (``next_review``: when the next monthly closure review runs, ``next_review_run``)."""
    answer = closure.answer
    if answer is None or closure.waiting or answer.get("confirmed"):
        return ""  # nothing follows from "resolved" (its review counts it, if still to come)
    if closure.adjudication_to_come:
        month, _ = _month(closure.first_closed_at, tz) if closure.first_closed_at else ("", "")
        review = f"The monthly closure review of {month}" if month else "The monthly closure review"
        return (
            f"{review} found that this closure may not hold up. Once the workforce experience "
            "reporting analyst has marked that review reviewed, the reporting quality assurance "
            "lead adjudicates the closure within 3 working days and reads your answer. If the "
            "closure does not hold up, a named owner repairs it and you may be asked again."
        )
    if closure.late and next_review is not None:
        when = local_time(next_review, tz)
        ended = closure.asked.why == CLOSED_AGAIN
        since = "the repair of how your report was closed ended" if ended else (
            "the monthly closure review of this closure was done")  # fmt: skip
        return (
            f"You answered after {since}. The next monthly closure review, generated on "
            f"{when}, takes your report again as a late dispute: the reporting quality "
            "assurance lead adjudicates it, and if the closure does not hold up, a named owner "
            "repairs it and you may be asked again."
        )
    if closure.repair_open:
        due = f" (due by {local_time(closure.repair_due, tz)})" if closure.repair_due else ""
        return (
            "The team repairing how your report was closed reads your answer when it checks "
            f"whether the repair worked{due}."
        )
    if closure.asked.why == CLOSED_AGAIN:
        return (
            "The repair of how your report was closed has ended. Your answer stays on record "
            "with your report; no further review of this closure is scheduled."
        )
    if closure.first_closed_at is None:
        return "Your answer stays on record with your report."
    month, after = _month(closure.first_closed_at, tz)
    if closure.last_reviewed_at is not None and closure.reviewed:
        return (
            f"The monthly closure review generated on {local_time(closure.last_reviewed_at, tz)} "
            "read your answer. Your answer stays on record with your report."
        )
    if closure.reviewed:
        return (
            f"The monthly closure review of {month} has already been done. Your answer stays "
            "on record with your report; no further review of this closure is scheduled."
        )
    return (
        f"It will be looked at again in the monthly closure review of {month}, done by the "
        f"fifth working day of {after} by the workforce experience reporting analyst. If the "
        "closure does not hold up, a named owner repairs it and you may be asked again."
    )
