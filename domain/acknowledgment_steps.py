"""Example 1 steps 2-4 (triage attribution, retention impact, recovery pathway) as data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.roles import Role
from domain.steps import DateOrInstant, StepSpec

EXAMPLE = "acknowledgment"
NEAR_MISS_RELIABILITY_CASE_REGISTER = "near-miss-reliability-case-register"
RETENTION_FILE = "workforce-safety-culture-retention-file"
ACKNOWLEDGMENT_RECOVERY_LOG = "acknowledgment-recovery-log"
SAFETY_LEARNING_ASSURANCE_WORKSPACE = "safety-learning-assurance-workspace"

# Step 3's prerequisites (the seed: "the validated near-miss reliability case, the employee's
# current 90-day reporting profile, and the live workforce concern register").
RETENTION_DOCUMENTS = (
    "near-miss-reliability-case",
    "reporting-profile",
    "workforce-concern-register",
)

# Every document a person can open for an example-1 case (its steps' prerequisites).
DOCUMENTS = frozenset(
    {
        "daily-review",
        "report-chronology",
        "triage-note-history",
        "risk-classification-source",
        *RETENTION_DOCUMENTS,
        "reporting-control-authorization-sheet",
    }
)

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class EvidenceRef(BaseModel):
    """A piece of evidence: a document opened for the case, optionally one chronology entry."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    document: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    """A document opened for this case."""
    entry: Annotated[str, StringConstraints(max_length=200)] | None = None
    """One entry of that document (optional), e.g. a chronology event."""


TriageFailureSource = Literal[
    "absent_named_triage_ownership",
    "incorrect_initial_classification",
    "acknowledgment_without_risk_specific_action",
    "manager_non_review",
    "routing_failure",
]


class ConfirmedTriageSource(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    source: TriageFailureSource
    """The triage failure this evidence confirms."""
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]
    """The documents (and entries) that show it."""


class TriageAttribution(Submission):
    """Step 2 fields (near-miss reliability case register)."""

    confirmed_sources: Annotated[list[ConfirmedTriageSource], Field(min_length=1)]
    """Each triage-failure source confirmed, with its evidence."""
    indicators_above_threshold: Annotated[int, Field(ge=0)]
    """Number of triage-failure indicators above threshold."""
    repeated_worker_exposure: bool
    """The same worker has been exposed repeatedly."""
    category_repeatedly_under_triaged: bool
    """The same category is repeatedly under-triaged."""
    unsafe_condition_active_while_pending: bool
    """The unsafe condition was still active while triage was pending."""
    note: Note
    """The attribution in your words (recorded in the register)."""


ImpactLevel = Literal["low", "medium", "high"]


class RetentionImpact(Submission):
    """Step 3 fields (workforce safety-culture retention file)."""

    impact_level: ImpactLevel
    """Impact on the worker's retention: low, medium or high."""
    affected_speaking_up_confidence: bool
    """Confidence in speaking up was affected."""
    affected_trust_in_management_attention: bool
    """Trust in management attention was affected."""
    affected_willingness_to_report_early: bool
    """Willingness to report early was affected."""
    affected_intention_to_remain: bool
    """Intention to remain was affected."""
    prior_90d_retention_risk: Literal["none", "low", "medium", "high"]
    """Retention-risk status in the prior 90 days."""
    prior_reports_180d: Annotated[int, Field(ge=0)]
    """Reports the worker made in the prior 180 days."""
    repeated_exposures_same_domain: Annotated[int, Field(ge=0)]
    """Repeated unsafe-condition exposures in the same domain."""
    open_concern: bool
    """An open wellbeing, safety, fairness or workload concern."""
    note: Note
    """The analysis in your words (recorded in the retention file)."""


RecoveryPathwayType = Literal[
    "triage_control_reset",
    "named_ownership_assignment",
    "service_line_daily_review",
    "unsafe_condition_correction",
    "combined_recovery",
]


class RecoveryPathway(Submission):
    """Step 4 fields (acknowledgment recovery log). A bare date means close of business."""

    pathway_type: RecoveryPathwayType
    """The kind of acknowledgment-recovery pathway."""
    responsible_owner_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    """Employee ID of the person who will own the pathway (must accept it)."""
    triage_control_implementation_deadline: DateOrInstant
    """When the corrected triage control must be in place."""
    worker_communication_deadline: DateOrInstant
    """When the worker must have been told."""
    mandatory_review_date: date
    """The date of the mandatory review."""
    immediate_senior_acknowledgment: bool
    """Requires immediate senior acknowledgment to the worker."""
    mandatory_named_owner_assignment: bool
    """Requires a named owner for the domain."""
    temporary_daily_service_line_review: bool
    """Requires a temporary daily review of the service line."""
    same_day_unsafe_condition_escalation: bool
    """Requires same-day escalation of the unsafe condition."""
    note: Note
    """The pathway in your words (recorded in the recovery log)."""


TRIAGE_ATTRIBUTION = StepSpec(
    slug="triage-attribution",
    example=EXAMPLE,
    title="Triage-failure attribution",
    role=Role.NEAR_MISS_GOVERNANCE_SUPERVISOR,
    deadline_rule="close of business",
    prerequisites=(
        "daily-review",
        "report-chronology",
        "triage-note-history",
        "risk-classification-source",
    ),
    register=NEAR_MISS_RELIABILITY_CASE_REGISTER,
    fields=TriageAttribution,
    # Seed: "each confirmed source is supported by chronology and classification-source evidence".
    evidence_kinds=(
        ("chronology", ("report-chronology", "triage-note-history")),
        ("classification-source", ("risk-classification-source",)),
    ),
    computed=(
        ("indicators_above_threshold", "indicator_count"),
        ("repeated_worker_exposure", "repeated_worker_exposure"),
        ("category_repeatedly_under_triaged", "repeated_category_under_triage"),
        ("unsafe_condition_active_while_pending", "unsafe_condition_active_while_pending"),
    ),
)

RETENTION_IMPACT = StepSpec(
    slug="retention-impact",
    example=EXAMPLE,
    title="Retention impact analysis",
    role=Role.WORKFORCE_RETENTION_SAFETY_CULTURE_MANAGER,
    deadline_rule="4 working hours",
    prerequisites=RETENTION_DOCUMENTS,
    register=RETENTION_FILE,
    fields=RetentionImpact,
    computed=(
        ("prior_90d_retention_risk", "prior_90d_retention_risk"),
        ("prior_reports_180d", "prior_reports_180d"),
        ("repeated_exposures_same_domain", "repeated_exposures_same_domain_180d"),
        ("open_concern", "open_concern"),
    ),
)

RECOVERY_PATHWAY = StepSpec(
    slug="recovery-pathway",
    example=EXAMPLE,
    title="Acknowledgment-recovery pathway",
    role=Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE,
    deadline_rule="close of business",
    prerequisites=("reporting-control-authorization-sheet",),
    register=ACKNOWLEDGMENT_RECOVERY_LOG,
    fields=RecoveryPathway,
)


class RecoveryReview(Submission):
    """The mandatory review of the pathway, by its named owner (acknowledgment recovery log)."""

    outcome: Literal["recovered", "not_recovered"]
    """Recovered (the case closes; every action must be done) or not recovered (name the next
    review date)."""
    findings: Note
    """What the review found (recorded in the acknowledgment recovery log)."""
    next_review_date: date | None = None
    """Not recovered: the next mandatory review date (close of business that day)."""


# The seed's "mandatory review date" (step 4) is owed by the pathway's named owner: due at close
# of business that day, escalated like any step; the case closes on its recorded outcome.
RECOVERY_REVIEW = StepSpec(
    slug="recovery-review",
    example=EXAMPLE,
    title="Mandatory review of the acknowledgment-recovery pathway",
    role=None,
    deadline_rule="close of business",
    register=ACKNOWLEDGMENT_RECOVERY_LOG,
    fields=RecoveryReview,
)

STEPS: dict[str, StepSpec] = {
    s.slug: s for s in (TRIAGE_ATTRIBUTION, RETENTION_IMPACT, RECOVERY_PATHWAY, RECOVERY_REVIEW)
}
