"""A worker's closure in words: how it was closed, and what happens after their answer.

One source for the confirmation form, its receipt and "my reports", so the three never tell a
worker different things (``store.worker_closures`` reads the facts).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from api.web.render import local_time
from domain.mail_words import period_words
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


def what_next(closure: Closure, tz: str) -> str:
    """What happens after the worker's answer, only as far as the service really does it."""
    answer = closure.answer
    if answer is None or closure.waiting or answer.get("confirmed"):
        return ""  # nothing follows from "resolved" (its review counts it, if still to come)
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
