"""When the worker's page says the next monthly closure review runs: 07:00 local on the first
working day of this month while it is still to come, else of the next month (bank holidays and
weekends skipped, summer time kept)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.web.closure_words import next_review_run, what_next
from api.web.render import local_time
from domain.calendar import CalendarConfig
from store.worker_closures import CLOSED, CLOSED_AGAIN, Asked, Closure

CONFIG = CalendarConfig()  # Europe/London, England and Wales bank holidays


@pytest.mark.parametrize(
    ("now", "run"),
    [
        # 8 Dec 2026: December's ran on Tue 1 Dec; 1 Jan 2027 is a bank holiday: Mon 4 Jan
        (datetime(2026, 12, 8, 2, 30, tzinfo=UTC), "Mon 4 Jan, 07:00"),
        # 1 Dec 2026 06:59 local (GMT): that morning's run is still to come
        (datetime(2026, 12, 1, 6, 59, tzinfo=UTC), "Tue 1 Dec, 07:00"),
        (datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "Mon 4 Jan, 07:00"),
        # 1 May 2027 a Saturday, 3 May a bank holiday: Tue 4 May, 07:00 BST (06:00 UTC)
        (datetime(2027, 5, 3, 12, 0, tzinfo=UTC), "Tue 4 May, 07:00"),
        (datetime(2027, 5, 4, 6, 0, tzinfo=UTC), "Tue 1 Jun, 07:00"),
    ],
)
def test_next_review_run(now: datetime, run: str) -> None:
    at = next_review_run(CONFIG, now)
    assert at > now
    assert local_time(at, CONFIG.timezone) == run


def _closure(why: str, answered: datetime, looked: datetime | None, *, late: bool) -> Closure:
    asked = Asked("CC-1", "NM-1", None, "SL-A", datetime(2026, 10, 8, tzinfo=UTC), why != CLOSED,
                  why)  # fmt: skip
    return Closure(
        asked=asked, category="corrective_action_completed",
        first_closed_at=datetime(2026, 10, 8, tzinfo=UTC),
        answer={"confirmed": False, "responded_at": answered.isoformat()}, waiting=False,
        repair_open=False, repair_due=None, reviewed=True, last_reviewed_at=looked, late=late,
    )  # fmt: skip


def test_a_late_not_resolved_names_the_next_review_and_what_follows() -> None:
    run = next_review_run(CONFIG, datetime(2026, 12, 8, 2, 30, tzinfo=UTC))
    answered = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    words = what_next(_closure(CLOSED, answered, None, late=True), CONFIG.timezone, run)
    assert words.startswith("You answered after the monthly closure review of this closure was")
    assert "The next monthly closure review, generated on Mon 4 Jan, 07:00, takes your" in words
    assert "the reporting quality assurance lead adjudicates it" in words
    ended = what_next(_closure(CLOSED_AGAIN, answered, None, late=True), CONFIG.timezone, run)
    assert ended.startswith("You answered after the repair of how your report was closed ended.")
    # Read by a review since (it took it as a late dispute): said so, no date promised again
    read = datetime(2026, 12, 9, 7, 0, tzinfo=UTC)
    taken = what_next(_closure(CLOSED, answered, read, late=False), CONFIG.timezone, run)
    assert taken == (
        "The monthly closure review generated on Wed 9 Dec, 07:00 read your answer. Your answer "
        "stays on record with your report."
    )
