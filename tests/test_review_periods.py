"""Impossible or not-yet-begun review periods are a 422 and start nothing (issue 10, item 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from temporalio.service import RPCError

from domain import names
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.review_periods import ReviewPeriodError, check_started, review_as_of
from tests.factories import load, staff_rows

CAL = BusinessCalendar(CalendarConfig())
ANCHOR = date(2026, 1, 5)
NOW = datetime(2026, 12, 7, 8, tzinfo=UTC)  # Monday 08:00 London


@pytest.mark.parametrize(
    ("example", "period"),
    [
        (names.EXAMPLE_CREDIBILITY, "9999-12"),
        (names.EXAMPLE_ACKNOWLEDGMENT, "9999-12-31"),
        (names.EXAMPLE_LEARNING, "0001-01-01"),
        (names.EXAMPLE_ACKNOWLEDGMENT, "0001-01-01"),
        (names.EXAMPLE_CREDIBILITY, "1999-12"),
        (names.EXAMPLE_ACKNOWLEDGMENT, "2026-12-08"),  # tomorrow
        (names.EXAMPLE_CREDIBILITY, "2026-12"),  # reviewed from 4 January
        (names.EXAMPLE_LEARNING, "2026-12-21"),  # the audit of the cycle ending 21 Dec
    ],
)
def test_impossible_or_future_periods_are_refused(example: str, period: str) -> None:
    with pytest.raises(ReviewPeriodError):
        check_started(example, period, CAL, ANCHOR, NOW)


def test_a_review_of_today_starts_at_its_as_of_instant_not_before() -> None:
    as_of = review_as_of(names.EXAMPLE_ACKNOWLEDGMENT, "2026-12-07", CAL, ANCHOR)
    assert as_of == datetime(2026, 12, 7, 7, tzinfo=UTC)
    with pytest.raises(ReviewPeriodError, match="07:00 on 2026-12-07"):
        check_started(
            names.EXAMPLE_ACKNOWLEDGMENT, "2026-12-07", CAL, ANCHOR, as_of.replace(hour=6)
        )
    check_started(names.EXAMPLE_ACKNOWLEDGMENT, "2026-12-07", CAL, ANCHOR, as_of)
    check_started(names.EXAMPLE_CREDIBILITY, "2026-11", CAL, ANCHOR, NOW)  # run 1 December
    check_started(names.EXAMPLE_LEARNING, "2026-12-07", CAL, ANCHOR, NOW)  # cycle of 23 Nov


async def test_the_api_answers_422_and_starts_nothing(own_env, sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue="none")
    for url in [
        "/reviews/closure-credibility/9999-12",
        "/reviews/acknowledgment/9999-12-31",
        "/reviews/learning-visibility/0001-01-01",
        "/reviews/acknowledgment/2999-01-02",
    ]:
        response = await api.post(url, "E-ADMIN")
        assert response.status_code == 422, (url, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["period"]
    for rid in ["closure-review-9999-12", "ack-review-9999-12-31", "ack-review-2999-01-02"]:
        with pytest.raises(RPCError):
            await own_env.client.get_workflow_handle(rid).describe()
