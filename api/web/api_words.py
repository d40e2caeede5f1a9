"""The words a page-less client shows beside the API's raw values (the dashboard): instants in
the provider's local time, working time left, step titles, levels, people's names, exception
reasons, each as the staff pages word them. Added to the JSON as extra fields; the raw values
stay as they were."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from api.web.reporter_story import STEP_TITLES
from api.web.review_view import reason_in_words
from api.web.words import escalation_words, humanize
from api.web.work_words import time_left
from config.settings import Settings
from domain.calendar import calendar_for
from domain.report import local_minute
from store.acknowledgment import ReviewItemView

OTHER_STEPS = {
    "pathway-acceptance": "Pathway acceptance",
    "awaiting-visibility": "Awaiting visibility",
    "mark-reviewed": "Mark reviewed",
}


def when_words(value: datetime | None, settings: Settings) -> str:
    """An instant as the staff pages show it: "Tue 8 Dec 2026, 17:00" (provider local time)."""
    return "" if value is None else local_minute(value, settings.timezone)


def step_title(step: str | None) -> str:
    """``triage-attribution`` → its title ("Triage attribution" or the step spec's own)."""
    if not step:
        return ""
    return STEP_TITLES.get(step) or OTHER_STEPS.get(step) or humanize(step)


def left_words(deadline: datetime | None, now: datetime, settings: Settings) -> str:
    """Working time to the deadline as "My work" says it ("1 working day left")."""
    return time_left(calendar_for(settings.calendar_config()), now, deadline)


def level_words(
    level: int, deadline: datetime | None, now: datetime, example: str | None, role: str | None
) -> str:
    """The escalation level as the case page says it ("on time", "overdue — reminder 1 …")."""
    return escalation_words(level, deadline, now, example=example, role=role)


def case_href(case_id: str | None) -> str:
    return f"/app/cases/{quote(case_id, safe='')}" if case_id else ""


def review_href(review_id: str) -> str:
    return f"/app/reviews/{quote(review_id, safe='')}"


def reasons_words(item: ReviewItemView) -> list[str]:
    """An exception's reasons as the review page words them ("Submitted at disagrees with the
    workforce reporting log (by 1 minute 1 second)")."""
    return [reason_in_words(str(r)) for r in item.reasons]
