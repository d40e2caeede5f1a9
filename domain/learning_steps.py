"""Example 2 steps 2-4 (learning attribution, stabilization pathway, stabilization validation)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.acknowledgment_steps import EvidenceRef, Note, Submission
from domain.names import EXAMPLE_LEARNING
from domain.roles import Role
from domain.steps import DateOrInstant, StepSpec

EXAMPLE = EXAMPLE_LEARNING
LEARNING_VISIBILITY_WORKSPACE = "learning-visibility-workspace"
LEARNING_VISIBILITY_REGISTER = "learning-visibility-register"
LEARNING_STABILIZATION_LOG = "learning-stabilization-log"
WORKFORCE_GOVERNANCE_RECORD = "workforce-governance-record"


# Register entry kinds written besides the steps' own (kind = slug with underscores).
ATTRIBUTION_KIND = "learning_attribution"
BASELINE_KIND = "baseline_pinned"
VALIDATION_OPENED_KIND = "validation_opened"

VALIDATION_MEASURES_DOC = "validation-measures"
DOCUMENTS = frozenset(
    {
        "learning-visibility-audit",
        "corrective-action-chronology",
        "learning-communication-record",
        "recurrence-pattern-review",
        "learning-control-standards-sheet",
        "frontline-impact-summary",
        VALIDATION_MEASURES_DOC,
    }
)


def learning_case_id(reference: str) -> str:
    """Workflow ID of the one example-2 case a near-miss report may have."""
    return f"learning-case-{reference}"


LearningFailureSource = Literal[
    "closure_before_corrective_action_complete",
    "no_feedback_to_reporter",
    "no_shared_learning_despite_wider_relevance",
    "repeated_recurrence_without_control_review",
    "containment_assumed_sufficient",
]


class ConfirmedLearningSource(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    source: LearningFailureSource
    """The learning failure this evidence confirms."""
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]
    """The documents (and entries) that show it."""


class LearningAttribution(Submission):
    """Step 2 fields (learning-visibility register)."""

    confirmed_sources: Annotated[list[ConfirmedLearningSource], Field(min_length=1)]
    """Each learning-failure source confirmed, with its evidence."""
    indicators_above_threshold: Annotated[int, Field(ge=0)]
    """Number of learning-visibility indicators above threshold."""
    same_domain_repeated_failure: bool
    """The same risk domain has failed repeatedly."""
    same_service_line_closes_without_feedback: bool
    """The same service line closes reports without feedback."""
    recurrence_after_resolved: bool
    """The condition recurred after being called resolved."""
    note: Note
    """The attribution in your words (recorded in the register)."""


StabilizationPathwayType = Literal[
    "direct_reporter_feedback",
    "controlled_learning_bulletin",
    "corrective_action_review",
    "closure_criteria_redesign",
    "combined_stabilization",
]
PATHWAY_REQUIREMENTS = (
    "direct_feedback_all_reporters_in_domain",
    "controlled_learning_bulletin",
    "reopened_corrective_action_review",
    "closure_criteria_redesign",
)


class StabilizationPathway(Submission):
    """Step 3 fields (learning-stabilization log). A bare date means close of business."""

    pathway_type: StabilizationPathwayType
    """The kind of learning-stabilization pathway."""
    responsible_owner_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    """Employee ID of the person who will own the pathway (must accept it)."""
    learning_control_implementation_deadline: DateOrInstant
    """When the learning control must be in place."""
    worker_feedback_deadline: DateOrInstant
    """When the reporters must have had feedback."""
    review_date: date
    """The date of the pathway's review."""
    direct_feedback_all_reporters_in_domain: bool
    """Direct feedback to all reporters in the domain."""
    controlled_learning_bulletin: bool
    """A controlled learning bulletin."""
    reopened_corrective_action_review: bool
    """A reopened corrective-action review."""
    closure_criteria_redesign: bool
    """A redesign of the closure criteria."""
    note: Note
    """The pathway in your words (recorded in the stabilization log)."""


LearningVisibilityStatus = Literal["visible_learning_closure", "emerging", "critical"]
ValidationDecision = Literal["close", "continue", "executive_escalation"]
MinuteRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StabilizationValidation(Submission):
    """Step 4 fields (workforce governance record)."""

    revised_recurrence_count: Annotated[int, Field(ge=0)]
    """Recurrences counted since activation."""
    revised_corrective_action_completion_rate: Annotated[float, Field(ge=0, le=1)] | None
    """Share of corrective actions complete (0 to 1)."""
    revised_reporter_feedback_completion_rate: Annotated[float, Field(ge=0, le=1)] | None
    """Share of reporters given feedback (0 to 1)."""
    final_learning_visibility_status: LearningVisibilityStatus
    """The learning-visibility status now."""
    clearer_evidence_of_learning: bool
    """There is clearer evidence of learning."""
    recurrence_below_threshold: bool
    """Recurrence has fallen below the threshold."""
    decision: ValidationDecision
    """Close, continue for another 14 days, or escalate to the executive."""
    escalation_minute_ref: MinuteRef | None = None
    """The formal escalation minute's reference: needed to escalate, or to close without
    measured improvement."""
    note: Note
    """The validation in your words (recorded in the governance record)."""


LEARNING_ATTRIBUTION = StepSpec(
    slug="learning-attribution",
    example=EXAMPLE,
    title="Learning-failure attribution",
    role=Role.REGIONAL_WORKFORCE_ASSURANCE_MANAGER,
    deadline_rule="2 working days",
    prerequisites=(
        "learning-visibility-audit",
        "corrective-action-chronology",
        "learning-communication-record",
        "recurrence-pattern-review",
    ),
    register=LEARNING_VISIBILITY_REGISTER,
    fields=LearningAttribution,
    # Seed: "each confirmed source is supported by chronology and communication-record evidence".
    evidence_kinds=(
        ("chronology", ("corrective-action-chronology",)),
        ("communication-record", ("learning-communication-record",)),
    ),
    computed=(
        ("indicators_above_threshold", "indicator_count"),
        ("same_domain_repeated_failure", "same_domain_repeated_failure"),
        ("same_service_line_closes_without_feedback", "same_service_line_closes_without_feedback"),
        ("recurrence_after_resolved", "recurrence_after_resolved"),
    ),
)

STABILIZATION_PATHWAY = StepSpec(
    slug="stabilization-pathway",
    example=EXAMPLE,
    title="Learning-stabilization pathway",
    role=Role.EXECUTIVE_DIRECTOR_QUALITY_LEARNING_WORKFORCE_SUPPORT,
    deadline_rule="3 working days",
    # The validated attribution note is an artefact: the step cannot open before it exists.
    prerequisites=("learning-control-standards-sheet", "frontline-impact-summary"),
    register=LEARNING_STABILIZATION_LOG,
    fields=StabilizationPathway,
)

# Opens 14 calendar days after activation (the workflow's timer); due 2 working days later.
STABILIZATION_VALIDATION = StepSpec(
    slug="stabilization-validation",
    example=EXAMPLE,
    title="Stabilization validation",
    role=Role.WORKFORCE_GOVERNANCE_REVIEWER,
    deadline_rule="2 working days",
    prerequisites=(VALIDATION_MEASURES_DOC,),
    register=WORKFORCE_GOVERNANCE_RECORD,
    fields=StabilizationValidation,
    computed=(
        ("revised_recurrence_count", "revised_recurrence_count"),
        ("revised_corrective_action_completion_rate", "revised_corrective_action_completion_rate"),
        ("revised_reporter_feedback_completion_rate", "revised_reporter_feedback_completion_rate"),
        ("recurrence_below_threshold", "recurrence_fell"),
    ),
)


class StabilizationReview(Submission):
    """The pathway's review on its review date, by its named owner (learning-stabilization log)."""

    outcome: Literal["stabilized", "not_stabilized"]
    """Stabilized (every action must be done) or not stabilized (name the next review date)."""
    findings: Note
    """What the review found (recorded in the learning-stabilization log)."""
    next_review_date: date | None = None
    """Not stabilized: the next review date (close of business that day)."""


# The pathway's "review date" (step 3) is owed by its named owner, due at close of business that
# day and escalated like any step; the validation may close only once it is recorded.
STABILIZATION_REVIEW = StepSpec(
    slug="stabilization-review",
    example=EXAMPLE,
    title="Review of the learning-stabilization pathway",
    role=None,
    deadline_rule="close of business",
    register=LEARNING_STABILIZATION_LOG,
    fields=StabilizationReview,
)

STEPS: dict[str, StepSpec] = {
    s.slug: s
    for s in (
        LEARNING_ATTRIBUTION,
        STABILIZATION_PATHWAY,
        STABILIZATION_VALIDATION,
        STABILIZATION_REVIEW,
    )
}
