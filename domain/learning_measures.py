"""Example 2 steps 3-4 values: standards support, validation measures, the close gate.

Pure. SOURCES.md "Validation measures": each measure is taken over the 14 days before an instant
(at activation: the baseline, pinned with the rule version; at validation: the follow-up).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.learning import (
    CORRECTIVE_ACTION_INCOMPLETE,
    CORRECTIVE_ACTION_OVERDUE,
    NO_FEEDBACK_TO_REPORTER,
    NO_SHARED_LEARNING,
    RECURRENCE_WITHIN_30_DAYS,
)

# Learning-control standards: what each indicator requires of a stabilization pathway, and the
# pathway requirements (step 3 boolean fields) that satisfy it. The sheet "supports" a pathway
# when every indicator present on the case is answered by at least one of them.
STANDARDS: dict[str, tuple[str, tuple[str, ...]]] = {
    CORRECTIVE_ACTION_INCOMPLETE: (
        "No closure before the corrective action is complete",
        ("reopened_corrective_action_review", "closure_criteria_redesign"),
    ),
    NO_FEEDBACK_TO_REPORTER: (
        "Every reporter receives feedback before closure",
        ("direct_feedback_all_reporters_in_domain",),
    ),
    NO_SHARED_LEARNING: (
        "Learning of wider relevance is issued as a controlled bulletin",
        ("controlled_learning_bulletin",),
    ),
    RECURRENCE_WITHIN_30_DAYS: (
        "Recurrence triggers a review of the prior controls",
        ("reopened_corrective_action_review", "closure_criteria_redesign"),
    ),
    CORRECTIVE_ACTION_OVERDUE: (
        "Overdue corrective actions are reviewed and re-planned",
        ("reopened_corrective_action_review",),
    ),
}


def unsupported_indicators(found: list[str], requirements: dict[str, bool]) -> list[str]:
    """Indicators of the case that no chosen pathway requirement answers (empty: supported)."""
    return [
        name
        for name in found
        if name in STANDARDS and not any(requirements.get(r) for r in STANDARDS[name][1])
    ]


def rate(numerator: int, denominator: int) -> float | None:
    """A completion rate rounded to 4 places (None when nothing was due: not comparable)."""
    return round(numerator / denominator, 4) if denominator else None


class ValidationMeasures(BaseModel):
    """The four measures over one 14-day window, for one risk domain and service line."""

    rule_version: str
    risk_domain: str
    service_line: str
    window_start: datetime
    window_end: datetime
    recurrence_count: int
    corrective_actions_due: int
    corrective_actions_complete: int
    corrective_action_completion_rate: float | None
    closed_reports: int
    closed_reports_with_feedback: int
    reporter_feedback_completion_rate: float | None
    confidence_responses: int
    confidence_mean: float | None


class PinnedBaseline(BaseModel):
    """The baseline pinned at activation, and the pinned rules' days to the first validation."""

    measures: ValidationMeasures
    validation_after_days: int


def recurrence_fell(
    baseline: ValidationMeasures, follow_up: ValidationMeasures, tolerance: int
) -> bool:
    """Recurrence fell below threshold: below the baseline and within the recurrence tolerance."""
    revised = follow_up.recurrence_count
    return revised < baseline.recurrence_count and revised <= tolerance


def visibility_improved(baseline: ValidationMeasures, follow_up: ValidationMeasures) -> bool:
    """Neither rate lower than baseline and at least one higher.

    A rate with nothing due in either window (None) is not comparable: it neither blocks nor
    counts as an improvement.
    """
    pairs = [
        (baseline.corrective_action_completion_rate, follow_up.corrective_action_completion_rate),
        (baseline.reporter_feedback_completion_rate, follow_up.reporter_feedback_completion_rate),
    ]
    comparable = [(b, f) for b, f in pairs if b is not None and f is not None]
    return all(f >= b for b, f in comparable) and any(f > b for b, f in comparable)


class ValidationValues(BaseModel):
    """Step 4's computed values: follow-up, baseline, confidence form and the close gate."""

    revised_recurrence_count: int
    revised_corrective_action_completion_rate: float | None
    revised_reporter_feedback_completion_rate: float | None
    recurrence_fell: bool
    recurrence_tolerance: int
    visibility_improved: bool
    same_rules: bool
    responses_since_activation: int
    confidence_mean_since_activation: float | None
    gate_passed: bool
    activated_at: datetime
    baseline: ValidationMeasures
    follow_up: ValidationMeasures


def validation_values(
    baseline: ValidationMeasures,
    follow_up: ValidationMeasures,
    activated_at: datetime,
    responses: list[int],
    tolerance: int,
) -> ValidationValues:
    """The gate: same rules, a form response since activation, recurrence fell below the
    pinned recurrence TOLERANCE, visibility up."""
    fell = recurrence_fell(baseline, follow_up, tolerance)
    improved = visibility_improved(baseline, follow_up)
    same = baseline.rule_version == follow_up.rule_version
    mean = round(sum(responses) / len(responses), 2) if responses else None
    return ValidationValues(
        revised_recurrence_count=follow_up.recurrence_count,
        revised_corrective_action_completion_rate=follow_up.corrective_action_completion_rate,
        revised_reporter_feedback_completion_rate=follow_up.reporter_feedback_completion_rate,
        recurrence_fell=fell,
        recurrence_tolerance=tolerance,
        visibility_improved=improved,
        same_rules=same,
        responses_since_activation=len(responses),
        confidence_mean_since_activation=mean,
        gate_passed=fell and improved and same and bool(responses),
        activated_at=activated_at,
        baseline=baseline,
        follow_up=follow_up,
    )


class BaselineRequest(BaseModel):
    """Pin the baseline of a case at its activation (recorded in the stabilization log)."""

    case_id: str
    reference: str
    review_id: str
    activated_at: datetime
    policy_version: str


class FollowUpRequest(BaseModel):
    """Compute the follow-up for a validation round whose window ends at ``window_end``."""

    case_id: str
    reference: str
    review_id: str
    activated_at: datetime
    window_end: datetime
