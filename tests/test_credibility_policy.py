"""Example 3 pure policy: month arithmetic, the review's calendar, classification, measures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.calendar import BusinessCalendar, CalendarConfig, compute_deadline
from domain.calendar_rules import parse_rule
from domain.credibility import (
    FLAGS,
    Credibility,
    CredibilityPolicy,
    case_ref_of,
    classify,
    credibility_case_id,
    month_bounds,
    next_month,
    parse_month,
    previous_month,
    reconciliation_reasons,
    repeated,
)
from domain.credibility_measures import measurable_improvement, validation_measures
from domain.credibility_steps import STEPS
from domain.learning import INDICATORS as LEARNING_INDICATORS
from domain.reviews import REVIEWS, review_id
from store.credibility import INDICATOR_FLAGS, _flags_from_indicators

CAL = CalendarConfig()
POLICY = CredibilityPolicy()
ZONE = "Europe/London"


def review_instants(period: str) -> tuple[date, datetime, datetime]:
    """The run day, as_of and 'reviewed' deadline of a month's review, by the rules the
    ReviewWorkflow asks the calendar for (see workflows/reviews.py)."""
    following = next_month(parse_month(period))
    anchor = datetime.combine(following, time(12), tzinfo=UTC)
    run_day = compute_deadline(CAL, "1st working day of month", anchor).due_local.date()
    as_of = compute_deadline(CAL, "at 07:00", datetime.combine(run_day, time(12), tzinfo=UTC))
    due = compute_deadline(CAL, REVIEWS["closure-credibility"].reviewed_rule, as_of.due_at)
    return run_day, as_of.due_local, due.due_local


@pytest.mark.parametrize(
    ("period", "run_day", "fifth"),
    [
        # January: 1 Jan (Thursday) is a bank holiday; 2nd is the first working day.
        ("2025-12", date(2026, 1, 2), date(2026, 1, 8)),
        # February 2026 starts on a Sunday.
        ("2026-01", date(2026, 2, 2), date(2026, 2, 6)),
        # August 2026 starts on a Saturday.
        ("2026-07", date(2026, 8, 3), date(2026, 8, 7)),
        # May 2026: Friday 1st, then the early May bank holiday on Monday 4th.
        ("2026-04", date(2026, 5, 1), date(2026, 5, 8)),
        # April 2026: Good Friday 3rd and Easter Monday 6th in the first week.
        ("2026-03", date(2026, 4, 1), date(2026, 4, 9)),
        # April 2024: Easter Monday is the 1st itself.
        ("2024-03", date(2024, 4, 2), date(2024, 4, 8)),
    ],
)
def test_run_day_and_fifth_working_day(period, run_day, fifth):
    day, as_of, due = review_instants(period)
    assert day == run_day
    assert (as_of.date(), as_of.time()) == (run_day, time(7))
    assert (due.date(), due.time()) == (fifth, time(17))


def test_fifth_working_day_is_counted_in_local_time_across_bst():
    _, as_of, due = review_instants("2026-04")  # May: BST
    assert as_of.utcoffset() == timedelta(hours=1)
    assert due.astimezone(UTC) == datetime(2026, 5, 8, 16, 0, tzinfo=UTC)


def test_months():
    assert previous_month(date(2026, 1, 2)) == "2025-12"
    assert previous_month(date(2026, 3, 31)) == "2026-02"
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert review_id("closure-credibility", "2026-11") == "closure-review-2026-11"
    for bad in ("2026-13", "2026-1", "26-01", "2026-00", "2026-01-01"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)
    start, end = month_bounds("2026-03", ZONE)  # GMT at the start, BST at the end
    assert start == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert case_ref_of(credibility_case_id("ack-case-NM-1")) == "ack-case-NM-1"


def test_step_specs_are_complete():
    for spec in STEPS.values():
        parse_rule(spec.deadline_rule)
        for field, _ in spec.computed:
            assert field in spec.fields.model_fields
    assert STEPS["credibility-adjudication"].deadline_rule == "3 working days"
    assert STEPS["repair-pathway"].deadline_rule == "3 working days"
    assert STEPS["repair-validation"].deadline_rule == "2 working days"


CLOSED = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)


def confirmation(confirmed: bool, employee: str = "W-1") -> dict:
    return {"employee_id": employee, "confirmed": confirmed, "responded_at": "2026-11-05T10:00:00Z"}


def reopen(at: datetime) -> dict:
    return {"reopened_at": at.isoformat(), "reason": "recurred"}


def evidence(kind: str = "photo") -> dict:
    return {"evidence_type": kind}


def run(conf=None, reopened=None, ev=None, closed=CLOSED):
    return classify(closed, conf, reopened, ev, zone=ZONE, policy=POLICY)


def test_credible_needs_confirmation_and_real_evidence():
    result = run(confirmation(True), None, evidence())
    assert result.credibility is Credibility.CREDIBLE and result.reasons == []


@pytest.mark.parametrize(
    ("conf", "ev", "reason"),
    [
        (None, evidence(), "no_employee_confirmation"),
        (confirmation(True), None, "no_final_action_evidence"),
        (confirmation(True), evidence("none"), "final_action_evidence_none"),
    ],
)
def test_doubtful(conf, ev, reason):
    result = run(conf, None, ev)
    assert result.credibility is Credibility.DOUBTFUL
    assert result.reasons == [reason]


def test_worker_saying_not_resolved_fails_even_with_evidence():
    result = run(confirmation(False), None, evidence("audit"))
    assert result.credibility is Credibility.FAILED
    assert result.reasons == ["employee_answered_not_resolved"]


def test_reopened_at_exactly_thirty_days_fails_and_thirty_one_does_not():
    at_30 = run(confirmation(True), reopen(CLOSED + timedelta(days=30)), evidence())
    assert at_30.credibility is Credibility.FAILED and at_30.days_to_reopen == 30
    at_31 = run(confirmation(True), reopen(CLOSED + timedelta(days=31)), evidence())
    assert at_31.credibility is Credibility.CREDIBLE and at_31.days_to_reopen == 31
    assert not at_31.reopened_within


def test_reopen_days_are_local_calendar_days():
    # Closed 23:30 on 3 Nov (GMT); reopened 00:30 on 4 Dec: 30 days 1 hour, but 31 calendar days.
    closed = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)
    late = run(confirmation(True), reopen(closed + timedelta(days=30, hours=1)), evidence(), closed)
    assert late.days_to_reopen == 31 and late.credibility is Credibility.CREDIBLE
    # Closed in BST, reopened after the clocks go back: still counted on local dates.
    summer = datetime(2026, 10, 1, 22, 30, tzinfo=UTC)  # 23:30 BST on 1 Oct
    r = run(confirmation(True), reopen(summer + timedelta(days=30, hours=1)), evidence(), summer)
    assert r.days_to_reopen == 30 and r.credibility is Credibility.FAILED


def test_failed_beats_doubtful_and_lists_every_reason():
    result = run(None, reopen(CLOSED + timedelta(days=2)), None)
    assert result.credibility is Credibility.FAILED
    assert result.reasons == [
        "reopened_within_30_days",
        "no_employee_confirmation",
        "no_final_action_evidence",
    ]


def test_reconciliation_exceptions():
    closure = {"employee_id": "W-1", "closed_at": CLOSED.isoformat()}
    assert reconciliation_reasons(closure, confirmation(True), None) == []
    assert reconciliation_reasons(closure, confirmation(True, "W-2"), None) == [
        "employee_id disagrees with employee-confirmation-form"
    ]
    before = reopen(CLOSED - timedelta(hours=1))
    assert reconciliation_reasons(closure, None, before) == [
        "reopened_at in reopened-risk-tracker is before closed_at"
    ]


ACTIVATED = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def score(at: datetime, value: int) -> dict:
    return {"submitted_at": at.isoformat(), "score": value}


def test_measurable_improvement_rules():
    assert measurable_improvement(True, False, 3, 3)
    assert measurable_improvement(True, False, None, 2)
    assert not measurable_improvement(True, False, 3, 2)
    assert not measurable_improvement(False, False, 3, 4)
    assert not measurable_improvement(None, False, 3, 4)
    assert not measurable_improvement(True, True, 3, 4)
    assert not measurable_improvement(True, False, 3, None)


def answered(confirmed: bool, at: datetime) -> dict:
    return {"employee_id": "W-1", "confirmed": confirmed, "responded_at": at.isoformat()}


def test_validation_measures_use_activation_as_the_line():
    responses = [
        score(ACTIVATED - timedelta(days=40), 4),
        score(ACTIVATED - timedelta(days=3), 2),
        score(ACTIVATED + timedelta(days=10), 3),
    ]
    fresh = answered(True, ACTIVATED + timedelta(days=12))
    old_reopen = reopen(ACTIVATED - timedelta(days=5))
    m = validation_measures(ACTIVATED, fresh, old_reopen, evidence(), responses, POLICY)
    assert (m.baseline_score, m.revised_score) == (2, 3)
    assert not m.reopened_since_activation and m.missing_since_activation == []
    assert m.measurable_improvement and m.credibility is Credibility.CREDIBLE
    assert m.rule_version == POLICY.version
    new_reopen = reopen(ACTIVATED + timedelta(days=1))
    m = validation_measures(ACTIVATED, fresh, new_reopen, evidence(), responses, POLICY)
    assert m.reopened_since_activation and not m.measurable_improvement
    assert m.credibility is Credibility.FAILED


def test_validation_measures_ignore_answers_from_before_activation():
    """Seed, example 3 step 4: "cannot proceed without updated employee confirmation data"."""
    stale = answered(True, ACTIVATED - timedelta(days=1))
    old_scores = [score(ACTIVATED - timedelta(days=3), 4)]
    m = validation_measures(ACTIVATED, stale, None, evidence(), old_scores, POLICY)
    assert m.confirmation is None and m.revised_score is None
    assert not m.measurable_improvement
    assert m.missing_since_activation == [
        "employee-confirmation-form",
        "speaking-up-confidence-form",
    ]
    fresh = answered(True, ACTIVATED)
    later = [*old_scores, score(ACTIVATED + timedelta(hours=1), 4)]
    m = validation_measures(ACTIVATED, fresh, None, evidence(), later, POLICY)
    assert m.missing_since_activation == [] and m.measurable_improvement


def test_reopen_since_activation_follows_the_pinned_reopen_days():
    late = reopen(ACTIVATED + timedelta(days=20))
    fresh = answered(True, ACTIVATED + timedelta(days=1))
    assert validation_measures(
        ACTIVATED, fresh, late, evidence(), [], POLICY
    ).reopened_since_activation
    strict = POLICY.model_copy(update={"reopen_days": 14, "version": "closure-policy-v2"})
    m = validation_measures(ACTIVATED, fresh, late, evidence(), [], strict)
    assert not m.reopened_since_activation and m.rule_version == "closure-policy-v2"


def test_repeated_doubtful_closures_window():
    items = [
        {"final_reviewing_role": "r1", "closed_at": (CLOSED - timedelta(days=90)).isoformat()},
        {"final_reviewing_role": "r1", "closed_at": CLOSED.isoformat()},
        {"final_reviewing_role": "r2", "closed_at": CLOSED.isoformat()},
        {"final_reviewing_role": "r2", "closed_at": (CLOSED - timedelta(days=91)).isoformat()},
    ]
    assert repeated(items, CLOSED, "final_reviewing_role", "r1", POLICY)
    assert not repeated(items, CLOSED, "final_reviewing_role", "r2", POLICY)
    assert not repeated(items, CLOSED, "final_reviewing_role", None, POLICY)


def test_business_calendar_is_the_one_the_workflow_uses():
    # Guard: the rule strings above are the ones the workflow passes to the calendar.
    assert BusinessCalendar(CAL).nth_working_day_of_month(
        datetime(2026, 1, 2, 7, tzinfo=UTC), 5
    ).date() == date(2026, 1, 8)


def test_every_indicator_of_examples_1_and_2_maps_to_a_closure_flag():
    """A case the service closes carries its indicators into example 3 as closure flags."""
    ack = [
        "ack_over_threshold",
        "triage_over_threshold",
        "no_named_triage_owner",
        "manager_not_reviewed",
        "unsafe_condition_while_triage_incomplete",
    ]
    assert set(INDICATOR_FLAGS) == {*ack, *LEARNING_INDICATORS}
    assert set(INDICATOR_FLAGS.values()) <= set(FLAGS)
    assert _flags_from_indicators(["unsafe_condition_while_triage_incomplete"]) == ["weak_triage"]
    learning_only = [
        "no_shared_learning_despite_wider_relevance",
        "corrective_action_incomplete_at_closure",
        "corrective_action_overdue",
    ]
    for name in learning_only:
        assert _flags_from_indicators([name]) == ["absent_learning_feedback"], name
    assert _flags_from_indicators([*ack, "recurrence_within_30_days"]) == [
        "delayed_acknowledgment",
        "repeated_recurrence",
        "weak_triage",
    ]
