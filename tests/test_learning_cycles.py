"""Example 2's audit cycles and run days: the cycle that ended last, a run day pushed past a
weekend or bank holiday, the workflow's probe rule agreeing with the pure one, a cycle's local
window."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.calendar import BusinessCalendar, CalendarConfig, compute_deadline
from domain.learning import (
    LearningPolicy,
)
from domain.learning_cycles import (
    RUN_DAY_RULE,
    audit_as_of,
    audit_cycle_for,
    audit_period,
    audit_run_day,
    cycle_window,
    last_cycle_ended_on_or_before,
    run_day_probe,
)

CAL = BusinessCalendar(CalendarConfig())
POLICY = LearningPolicy()


@pytest.mark.parametrize(
    ("day", "cycle"),
    [
        (date(2026, 1, 19), date(2026, 1, 5)),  # the end date itself: that cycle just ended
        (date(2026, 1, 18), date(2025, 12, 22)),  # still inside 5-18 Jan: the previous one
        (date(2026, 2, 1), date(2026, 1, 5)),
        (date(2025, 12, 31), date(2025, 12, 8)),  # before the anchor: cycles tile backwards
    ],
)
def test_last_cycle_ended_on_or_before(day, cycle):
    assert last_cycle_ended_on_or_before(day) == cycle
    assert audit_period(day) == cycle.isoformat()


def test_run_day_is_the_end_date_when_working():
    assert audit_run_day(date(2026, 1, 5), CAL.is_working_day) == date(2026, 1, 19)
    assert audit_as_of(CAL, date(2026, 1, 5), POLICY) == datetime(2026, 1, 19, 7, tzinfo=UTC)


def test_bank_holiday_pushes_the_audit_to_the_next_working_day():
    # 11-24 May 2026 ends on the Spring bank holiday (Monday 25 May): the audit runs Tuesday.
    assert audit_run_day(date(2026, 5, 11), CAL.is_working_day) == date(2026, 5, 26)
    # British Summer Time: 07:00 local is 06:00 UTC.
    assert audit_as_of(CAL, date(2026, 5, 11), POLICY) == datetime(2026, 5, 26, 6, tzinfo=UTC)
    assert audit_cycle_for(date(2026, 5, 25), CAL.is_working_day) is None
    assert audit_cycle_for(date(2026, 5, 26), CAL.is_working_day) == date(2026, 5, 11)
    assert audit_cycle_for(date(2026, 5, 27), CAL.is_working_day) is None


def test_weekend_end_pushes_to_monday_with_a_saturday_anchor():
    anchor = date(2026, 1, 3)  # a Saturday: cycles end on Saturdays
    assert audit_run_day(date(2026, 1, 3), CAL.is_working_day) == date(2026, 1, 19)
    assert audit_cycle_for(date(2026, 1, 19), CAL.is_working_day, anchor) == date(2026, 1, 3)
    assert audit_cycle_for(date(2026, 1, 17), CAL.is_working_day, anchor) is None


@pytest.mark.parametrize("start", [date(2026, 5, 11), date(2026, 8, 17), date(2026, 1, 5)])
def test_workflow_probe_rule_agrees_with_the_pure_run_day(start):
    """What ReviewWorkflow and the schedule compute through the calendar activity."""
    due = compute_deadline(CalendarConfig(), RUN_DAY_RULE, run_day_probe(start))
    assert due.due_local.date() == audit_run_day(start, CAL.is_working_day)


def test_cycle_window_is_local_midnight_to_midnight():
    start, end = cycle_window(CAL, date(2026, 3, 16), POLICY)  # spans the clock change (29 Mar)
    assert start == datetime(2026, 3, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 23, tzinfo=UTC)  # 30 Mar 00:00 BST
