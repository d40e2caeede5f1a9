"""The rows of "my work": what the signed-in person owes, each in words, sorted by due.

Read from the projection (``store.my_work``): reviews awaiting their sign-off, the open
obligations of cases for their roles or that they own, confirmations they are asked for. Due
times are the provider's local time; working time left uses the business calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Actor
from api.owed_cursor import due_bands, owed_cursor
from api.web.case_view import action_href
from api.web.render import local_time
from api.web.words import (
    REVIEW_TITLES,
    escalation_class,
    escalation_words,
    exposure_words,
    lower_first,
)
from api.web.work_words import review_name, time_left
from config.settings import Settings
from domain import names
from domain.calendar import calendar_for
from domain.mail_words import capital, case_words
from domain.reviews import REVIEWS, sign_off_due
from store.my_work import (
    PAGE,
    CaseOwed,
    OwedAfter,
    OwedCounts,
    awaiting_acceptance,
    awaiting_reviews,
    breach_levels,
    case_obligations,
    owed_counts,
)
from store.tables import Review
from store.worker_closures import ASKED_AGAIN, CLOSED_AGAIN, Asked, confirmations_asked

Levels = dict[tuple[str, str], int]

ASKED_WORDS = {CLOSED_AGAIN: "Closed again", ASKED_AGAIN: "Asked"}
MARK_REVIEWED = names.OBLIGATION_MARK_REVIEWED  # the review workflow's obligation key
ACCEPTANCE = "pathway-acceptance"


@dataclass(frozen=True)
class WorkRow:
    """One thing owed, display-ready."""

    what: str
    which: str
    which_href: str
    exposure: str
    service_line: str
    due_at: datetime | None
    due: str
    left: str
    escalation: str
    css: str
    href: str
    # where the row sorts when that is not its own due time: a pathway's acceptance sorts
    # before the actions that wait for it, even when it is due later than they are
    sort_at: datetime | None = None
    # a worker's form has no deadline: one plain sentence in place of Due, time left, escalation
    status: str = ""


def _review_rows(
    reviews: list[Review], levels: Levels, now: datetime, settings: Settings
) -> list[WorkRow]:
    config = settings.calendar_config()
    calendar = calendar_for(config)
    rows = []
    for review in reviews:
        spec = REVIEWS[review.example]
        due = sign_off_due(review.example, review.as_of, review.sign_off_due_at, calendar)
        level = levels.get((review.review_id, MARK_REVIEWED), 0)
        href = f"/app/reviews/{quote(review.review_id)}"
        title = lower_first(REVIEW_TITLES.get(review.example, review.example))
        rows.append(
            WorkRow(
                what=f"Mark the {title} reviewed",
                which=review_name(review.example, review.period),
                which_href=href,
                exposure="every report in scope",
                service_line="all",
                due_at=due,
                due=local_time(due, settings.timezone),
                left=time_left(calendar, now, due),
                escalation=escalation_words(
                    level, due, now, example=review.example, role=spec.role
                ),
                css=escalation_class(level, due, now),
                href=href,
            )
        )
    return rows


def _case_rows(
    owed: list[CaseOwed], levels: Levels, now: datetime, settings: Settings, accepting: set[str]
) -> list[WorkRow]:
    calendar = calendar_for(settings.calendar_config())
    rows = []
    for item in owed:
        case = item.case
        level = levels.get((case.case_id, item.key), 0)
        case_href = f"/app/cases/{quote(case.case_id)}"
        accept_first = item.key.startswith("action:") and case.case_id in accepting
        first_at = item.sort_at if item.sort_at != item.deadline else None  # (an acceptance)
        rows.append(
            WorkRow(
                what=f"{item.title} (once you have accepted the pathway)"
                if accept_first
                else item.title,
                which=capital(case_words(case.case_id, case.reference)),
                which_href=case_href,
                exposure=exposure_words(case.exposure),
                service_line=case.service_line,
                due_at=item.deadline,
                due=local_time(item.deadline, settings.timezone),
                left=time_left(calendar, now, item.deadline),
                escalation=escalation_words(
                    level, item.deadline, now, example=case.example, role=item.role
                ),
                css=escalation_class(level, item.deadline, now),
                href=action_href(case.case_id, item.key) or case_href,
                sort_at=first_at,
            )
        )
    return rows


def _form_rows(asked: list[Asked], settings: Settings) -> list[WorkRow]:
    tz = settings.timezone
    return [
        WorkRow(
            what="Tell us again whether your near miss is resolved for you now"
            if item.again
            else "Tell us whether your near miss was resolved for you",
            which=f"Your report {item.reference}",
            which_href=f"/app/my-reports#report-{quote(item.reference)}",
            exposure="",  # governance's classification, not the worker's: not shown to them
            service_line="",  # their own line, as a code: nothing a worker needs to read
            due_at=None,
            due="",
            left="",
            escalation="",
            status=f"{ASKED_WORDS.get(item.why, 'Closed')} {local_time(item.closed_at, tz)}"
            f" — waiting for your answer"
            if item.closed_at
            else "Closed — waiting for your answer",
            css="",
            href=f"/app/forms/employee-confirmation?case_ref={quote(item.case_ref)}",
        )
        for item in asked
    ]


async def _accepting(session: AsyncSession, owed: list[CaseOwed]) -> set[str]:
    """The cases on the page whose pathway still waits for acceptance (on this page or, since
    an acceptance sorts before its actions, an earlier one)."""
    here = {o.case.case_id for o in owed if o.key == ACCEPTANCE}
    acting = {o.case.case_id for o in owed if o.key.startswith("action:")} - here
    return here | await awaiting_acceptance(session, acting)


@dataclass(frozen=True)
class WorkPage:
    """One page of "my work": its rows, how much is owed in all, and the next page's cursor."""

    rows: list[WorkRow]
    counts: OwedCounts  # the case obligations owed in all, by how soon they are due
    reviews: int  # reviews awaiting sign-off in all (every page shows those due within it)
    overdue: int  # everything overdue in all (reviews and case obligations)
    next_after: str | None  # the cursor of the next page; None on the last


async def work_rows(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    settings: Settings,
    after: OwedAfter | None = None,
) -> WorkPage:
    """A page of what the actor owes now, soonest due first: ``PAGE`` case obligations from
    ``after`` with the reviews due among them; the first page also has the forms (no deadline,
    last). Counts of everything owed come with it."""
    reviews = await awaiting_reviews(session, actor.roles)
    owed = await case_obligations(session, actor.employee_id, actor.roles, after, PAGE + 1)
    more, owed = len(owed) > PAGE, owed[:PAGE]
    subjects = [r.review_id for r in reviews] + [o.case.case_id for o in owed]
    levels = await breach_levels(session, subjects)
    all_reviews = _review_rows(reviews, levels, now, settings)
    since, until = after.sort_at if after else None, owed[-1].sort_at if more else None
    rows = [
        row
        for row in all_reviews
        if (since is None or (row.due_at and row.due_at > since))
        and (until is None or (row.due_at and row.due_at <= until))
    ] + _case_rows(owed, levels, now, settings, await _accepting(session, owed))
    rows.sort(
        key=lambda row: (
            row.due_at is None,
            row.sort_at or row.due_at or now,
            row.sort_at is None,  # an acceptance before the actions due when it sorts
        )
    )
    if after is None:
        rows += _form_rows(await confirmations_asked(session, actor.employee_id), settings)
    counts = await owed_counts(
        session, actor.employee_id, actor.roles, now, due_bands(now, settings)
    )
    late = sum(1 for row in all_reviews if row.css == "overdue") + counts.overdue
    cursor = owed_cursor(owed[-1]) if more else None
    return WorkPage(rows, counts, len(all_reviews), late, cursor)
