"""Example 2 pure policy: indicators, gate, checks (cycles and run days: test_learning_cycles)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from domain.learning import (
    CORRECTIVE_ACTION_INCOMPLETE,
    CORRECTIVE_ACTION_OVERDUE,
    NO_FEEDBACK_TO_REPORTER,
    NO_SHARED_LEARNING,
    RECURRENCE_WITHIN_30_DAYS,
    LearningPolicy,
    LearningVisibility,
    audit_item,
)
from domain.learning_checks import pathway_checks, validation_checks
from domain.learning_measures import (
    ValidationMeasures,
    unsupported_indicators,
    validation_values,
    visibility_improved,
)
from tests.learning_factories import closed_report

POLICY = LearningPolicy()
AS_OF = datetime(2026, 3, 2, 7, tzinfo=UTC)
CLOSED = datetime(2026, 2, 20, 15, tzinfo=UTC)


# -- reconciliation and indicators --------------------------------------------------------------


def _item(**kwargs):
    rows = closed_report("NM-1", closed_at=CLOSED, **kwargs)
    action = rows.get("corrective-action-tracker")
    return audit_item(
        rows["incident-platform"],
        rows["learning-bulletin-log"],
        rows["recurrence-analysis-file"],
        action,
        [action] if action else [],
        AS_OF,
        POLICY,
    )


def test_everything_visible_is_visible_learning_closure():
    item = _item()
    assert item.classification == LearningVisibility.VISIBLE_LEARNING_CLOSURE
    assert item.fields["indicators"] == [] and item.fields["indicator_count"] == 0
    assert item.fields["issue_type"] == "medication process"
    assert item.fields["closure_date"] == "2026-02-20"


@pytest.mark.parametrize(
    ("kwargs", "indicator"),
    [
        ({"action": None}, CORRECTIVE_ACTION_INCOMPLETE),  # (a) no action at all
        (
            {"action": "in_progress", "action_due": AS_OF + timedelta(days=3)},
            CORRECTIVE_ACTION_INCOMPLETE,
        ),
        ({"action_completed_before_closure": False}, CORRECTIVE_ACTION_INCOMPLETE),  # (a) late
        ({"feedback": False}, NO_FEEDBACK_TO_REPORTER),  # (b)
        ({"wider_relevance": True}, NO_SHARED_LEARNING),  # (c)
        ({"recurrence": True, "repeats": 1}, RECURRENCE_WITHIN_30_DAYS),  # (d) with one repeat
    ],
)
def test_one_indicator_is_emerging(kwargs, indicator):
    item = _item(**kwargs)
    assert item.fields["indicators"] == [indicator]
    assert item.classification == LearningVisibility.EMERGING


def test_wider_relevance_with_a_bulletin_is_not_an_indicator():
    assert _item(wider_relevance=True, bulletin=True).fields["indicators"] == []
    assert _item(wider_relevance=True, bulletin=True).fields["shared_learning_status"] == "issued"


def test_overdue_action_at_as_of_is_indicator_e_and_a():
    item = _item(action="open", action_due=AS_OF - timedelta(minutes=1))
    assert item.fields["indicators"] == [CORRECTIVE_ACTION_INCOMPLETE, CORRECTIVE_ACTION_OVERDUE]
    assert item.fields["overdue_corrective_actions"] == 1
    assert item.classification == LearningVisibility.CRITICAL


def test_action_due_exactly_at_as_of_is_not_overdue_and_cancelled_never_is():
    assert (
        CORRECTIVE_ACTION_OVERDUE not in _item(action="open", action_due=AS_OF).fields["indicators"]
    )
    cancelled = _item(action="cancelled", action_due=AS_OF - timedelta(days=3))
    assert cancelled.fields["indicators"] == [CORRECTIVE_ACTION_INCOMPLETE]


def test_recurrence_with_two_repeats_alone_is_critical():
    item = _item(recurrence=True, repeats=2)
    assert item.fields["indicators"] == [RECURRENCE_WITHIN_30_DAYS]
    assert item.classification == LearningVisibility.CRITICAL


def test_two_indicators_are_critical():
    assert _item(feedback=False, wider_relevance=True).classification == "critical"


def test_unreconciled_report_is_an_exception_with_every_reason():
    rows = closed_report("NM-1", closed_at=CLOSED)
    rows["recurrence-analysis-file"]["risk_domain"] = "documentation"
    action = dict(rows["corrective-action-tracker"], reference="NM-OTHER")
    item = audit_item(
        rows["incident-platform"], None, rows["recurrence-analysis-file"], action, [], AS_OF, POLICY
    )
    assert item.classification is None and item.fields["indicators"] is None
    assert item.reasons == [
        "missing in learning-bulletin-log",
        "risk_domain disagrees with recurrence-analysis-file",
        "reference disagrees with corrective-action-tracker",
    ]
    missing_action = audit_item(
        rows["incident-platform"], rows["learning-bulletin-log"], None, None, [], AS_OF, POLICY
    )
    assert missing_action.reasons == [
        "missing in recurrence-analysis-file",
        "missing in corrective-action-tracker",
    ]


# -- validation measures and the gate ---------------------------------------------------------


def _measures(recurrence=3, ca=(1, 2), fb=(1, 2), version="learning-policy-v1"):
    def rate(pair):
        return round(pair[0] / pair[1], 4) if pair[1] else None

    return ValidationMeasures(
        rule_version=version,
        risk_domain="medication",
        service_line="HC-NORTH",
        window_start=AS_OF - timedelta(days=14),
        window_end=AS_OF,
        recurrence_count=recurrence,
        corrective_actions_due=ca[1],
        corrective_actions_complete=ca[0],
        corrective_action_completion_rate=rate(ca),
        closed_reports=fb[1],
        closed_reports_with_feedback=fb[0],
        reporter_feedback_completion_rate=rate(fb),
        confidence_responses=0,
        confidence_mean=None,
    )


@pytest.mark.parametrize(
    ("follow_up", "improved"),
    [
        (_measures(ca=(2, 2)), True),  # one rate higher, the other equal
        (_measures(), False),  # nothing higher
        (_measures(ca=(2, 2), fb=(0, 2)), False),  # one higher, one lower
        (_measures(ca=(0, 0), fb=(2, 2)), True),  # nothing due: not comparable, not blocking
        (_measures(ca=(0, 0), fb=(0, 0)), False),  # nothing comparable: no evidence
    ],
)
def test_visibility_improved(follow_up, improved):
    assert visibility_improved(_measures(), follow_up) is improved


def test_gate_needs_fall_improvement_same_rules_and_a_response():
    baseline, better = _measures(), _measures(recurrence=1, fb=(2, 2))
    assert validation_values(baseline, better, AS_OF, [4], 1).gate_passed
    assert not validation_values(baseline, better, AS_OF, [], 1).gate_passed  # no form response
    same = _measures(recurrence=3, fb=(2, 2))
    assert not validation_values(baseline, same, AS_OF, [4], 1).recurrence_fell
    other = _measures(recurrence=1, fb=(2, 2), version="learning-policy-v2")
    assert not validation_values(baseline, other, AS_OF, [4], 1).gate_passed
    values = validation_values(baseline, better, AS_OF, [4, 5], 1)
    assert values.confidence_mean_since_activation == 4.5
    assert values.revised_recurrence_count == 1 and values.recurrence_tolerance == 1


def test_recurrence_below_threshold_needs_the_tolerance_too():
    """Seed, example 2 step 4: "whether recurrence indicators reduced below threshold"."""
    baseline, fewer = _measures(), _measures(recurrence=2, fb=(2, 2))
    fell = validation_values(baseline, fewer, AS_OF, [4], 1)
    assert not fell.recurrence_fell and not fell.gate_passed  # 3 -> 2, but 2 > tolerance 1
    assert validation_values(baseline, fewer, AS_OF, [4], 2).gate_passed
    assert LearningPolicy().recurrence_tolerance == 1
    low = _measures(recurrence=0)
    assert not validation_values(low, low, AS_OF, [4], 1).recurrence_fell  # not below baseline


def _validation(decision, minute=None, status="emerging"):
    return SimpleNamespace(
        decision=decision, escalation_minute_ref=minute, final_learning_visibility_status=status
    )


def test_close_refused_without_gate_allowed_with_gate_or_minute():
    failing = {"gate_passed": False, "baseline": {"recurrence_count": 3}, "follow_up": {}}
    [error] = validation_checks(_validation("close"), failing, [])
    assert error.field == "decision" and "escalation_minute_ref" in error.message
    assert validation_checks(_validation("close", "WGC-2026-14"), failing, []) == []
    assert (
        validation_checks(
            _validation("close", status="visible_learning_closure"), {"gate_passed": True}, []
        )
        == []
    )
    [action] = validation_checks(_validation("close"), {"gate_passed": True}, ["worker-feedback"])
    assert action.field == "actions.worker-feedback"
    [claimed] = validation_checks(
        _validation("close", "M-1", "visible_learning_closure"), failing, []
    )
    assert claimed.field == "final_learning_visibility_status"


def test_executive_escalation_needs_a_minute_continue_does_not():
    [error] = validation_checks(_validation("executive_escalation"), {"gate_passed": False}, [])
    assert error.field == "escalation_minute_ref"
    assert validation_checks(_validation("executive_escalation", "M-7"), {}, ["x"]) == []
    assert validation_checks(_validation("continue"), {"gate_passed": False}, ["x"]) == []


def _pathway(**flags):
    today = date(2026, 3, 2)
    values = {
        "direct_feedback_all_reporters_in_domain": False,
        "controlled_learning_bulletin": False,
        "reopened_corrective_action_review": False,
        "closure_criteria_redesign": False,
        "learning_control_implementation_deadline": today + timedelta(days=5),
        "worker_feedback_deadline": today + timedelta(days=3),
        "review_date": today + timedelta(days=14),
    }
    return SimpleNamespace(**(values | flags)), today


def test_standards_sheet_must_support_the_pathway():
    assert unsupported_indicators([NO_FEEDBACK_TO_REPORTER], {}) == [NO_FEEDBACK_TO_REPORTER]
    sheet = {"standards_sheet": {"complete": True, "case_indicators": [NO_FEEDBACK_TO_REPORTER]}}
    model, today = _pathway()
    [error] = pathway_checks(model, sheet, today)
    assert error.field == "pathway_requirements"
    assert "direct_feedback_all_reporters_in_domain" in error.message
    model, today = _pathway(direct_feedback_all_reporters_in_domain=True)
    assert pathway_checks(model, sheet, today) == []


def test_pathway_needs_the_attribution_note_and_coherent_dates():
    model, today = _pathway(review_date=date(2026, 3, 3))
    errors = pathway_checks(model, {"standards_sheet": {"complete": False}}, today)
    assert [e.field for e in errors] == [
        "documents.learning-control-standards-sheet",
        "review_date",
        "review_date",
    ]
    model, today = _pathway(worker_feedback_deadline=date(2026, 3, 1))
    [past] = pathway_checks(model, {"standards_sheet": {"complete": True}}, today)
    assert past.field == "worker_feedback_deadline"
