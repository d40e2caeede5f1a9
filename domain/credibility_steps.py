"""Example 3 steps 2-4 (adjudication, closure-repair pathway, repair validation) as data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.acknowledgment_steps import EvidenceRef, Note, Submission
from domain.credibility import BOARD_RECORD, CREDIBILITY_REGISTER, REPAIR_LOG
from domain.names import EXAMPLE_CREDIBILITY
from domain.roles import Role
from domain.steps import DateOrInstant, StepSpec

# Step 4's measures (updated confirmation, reopen status, confidence score, rule version):
# opening it refreshes them, so answers received after the step opened count.
VALIDATION_MEASURES_DOC = "repair-validation-measures"

CredibilityStatus = Literal["credible", "doubtful", "failed"]

CredibilitySource = Literal[
    "premature_closure",
    "resolution_communicated_without_visible_correction",
    "recurrence_of_original_condition",
    "closure_without_employee_confirmation",
    "confidence_damage_unresolved",
]


class ConfirmedCredibilitySource(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    source: CredibilitySource
    """The credibility failure this evidence confirms."""
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]
    """The documents (and entries) that show it."""


class CredibilityAdjudication(Submission):
    """Step 2 fields (reporting-closure credibility register).

    ``confirmed_sources`` may be empty only when the status is confirmed credible; the
    computed fields must equal what the service computed when the step opened.
    """

    confirmed_status: CredibilityStatus
    """The closure's credibility as you confirm it."""
    confirmed_sources: list[ConfirmedCredibilitySource] = []
    """Each credibility-failure source confirmed, with its evidence (none only when credible)."""
    days_closure_to_reopen: Annotated[int, Field(ge=0)] | None
    """Days from closure to reopening (blank if not reopened)."""
    repeated_doubtful_same_reviewing_role: bool
    """The same reviewing role has repeated doubtful closures."""
    repeated_doubtful_same_manager_line: bool
    """The same manager line has repeated doubtful closures."""
    still_relevant_to_workforce_trust: bool
    """The case still matters to workforce trust."""
    note: Note
    """The adjudication in your words (recorded in the credibility register)."""


RepairPathwayType = Literal[
    "senior_contact_and_reconnection",
    "independent_verification",
    "reporting_control_plan_reopened",
    "closure_discipline_correction",
    "combined_repair",
]


class RepairPathway(Submission):
    """Step 3 fields (reporting-closure repair log). A bare date means close of business."""

    pathway_type: RepairPathwayType
    """The kind of closure-repair pathway."""
    accountable_owner_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    """Employee ID of the person who will own the pathway (must accept it)."""
    final_corrective_deadline: DateOrInstant
    """When the final correction must be done."""
    worker_reconnection_deadline: DateOrInstant
    """When the worker must have been reconnected with."""
    follow_up_review_date: date
    """The date of the follow-up review."""
    direct_senior_safety_learning_contact: bool
    """Direct contact from a senior safety-learning lead."""
    independent_verification_of_improvement: bool
    """Independent verification of the improvement."""
    reopen_reporting_control_plan: bool
    """Reopen the reporting-control plan."""
    wider_closure_discipline_correction: bool
    """Wider correction of closure discipline."""
    note: Note
    """The pathway in your words (recorded in the repair log)."""


ConfirmationStatus = Literal["confirmed", "not_confirmed", "no_response"]


class RepairValidation(Submission):
    """Step 4 fields (board workforce experience record).

    ``close`` is refused unless the computed measures show measurable improvement or a formal
    escalation is minuted (``escalation_minute`` now, or at an earlier validation of the case);
    ``escalate`` requires the minute.
    """

    revised_confirmation_status: ConfirmationStatus
    """The worker's confirmation since activation."""
    revised_reopened_status: bool
    """Reopened since activation."""
    revised_confidence_score: Annotated[int, Field(ge=1, le=5)] | None
    """The worker's speaking-up confidence score since activation (1 to 5)."""
    final_credibility_outcome: CredibilityStatus
    """The closure's credibility now."""
    worker_regards_resolved: bool
    """The worker regards it as resolved."""
    repeated_doubtful_closures_remain: bool
    """Repeated doubtful closures remain."""
    decision: Literal["close", "continue", "escalate"]
    """Close, continue for another 21 days, or escalate."""
    escalation_minute: Note | None = None
    """The formal escalation minute: needed to escalate, or to close without improvement."""
    note: Note
    """The validation in your words (recorded in the board record)."""


CREDIBILITY_ADJUDICATION = StepSpec(
    slug="credibility-adjudication",
    example=EXAMPLE_CREDIBILITY,
    title="Closure-credibility adjudication",
    role=Role.REPORTING_QUALITY_ASSURANCE_LEAD,
    deadline_rule="3 working days",
    prerequisites=(
        "closure-review",
        "case-chronology",
        "final-action-evidence",
        "employee-narrative-feedback",
    ),
    register=CREDIBILITY_REGISTER,
    fields=CredibilityAdjudication,
    # Seed: "every doubtful or failed finding is evidenced by chronology and action records".
    evidence_kinds=(
        ("chronology", ("case-chronology",)),
        ("action-record", ("final-action-evidence",)),
    ),
    computed=(
        ("days_closure_to_reopen", "days_closure_to_reopen"),
        ("repeated_doubtful_same_reviewing_role", "repeated_doubtful_same_reviewing_role"),
        ("repeated_doubtful_same_manager_line", "repeated_doubtful_same_manager_line"),
    ),
)

REPAIR_PATHWAY = StepSpec(
    slug="repair-pathway",
    example=EXAMPLE_CREDIBILITY,
    title="Closure-repair pathway",
    role=Role.DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING,
    deadline_rule="3 working days",
    prerequisites=("reviewer-accountability-sheet", "service-impact-summary"),
    register=REPAIR_LOG,
    fields=RepairPathway,
)

REPAIR_VALIDATION = StepSpec(
    slug="repair-validation",
    example=EXAMPLE_CREDIBILITY,
    title="Repair validation",
    role=Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER,
    deadline_rule="2 working days",
    prerequisites=(VALIDATION_MEASURES_DOC,),
    register=BOARD_RECORD,
    fields=RepairValidation,
    computed=(
        ("revised_confirmation_status", "revised_confirmation_status"),
        ("revised_reopened_status", "reopened_since_activation"),
        ("revised_confidence_score", "revised_score"),
        ("final_credibility_outcome", "credibility"),
        ("repeated_doubtful_closures_remain", "repeated_doubtful"),
    ),
)

STEPS: dict[str, StepSpec] = {
    s.slug: s for s in (CREDIBILITY_ADJUDICATION, REPAIR_PATHWAY, REPAIR_VALIDATION)
}

DOCUMENTS = frozenset(
    {
        "closure-review",
        "case-chronology",
        "final-action-evidence",
        "employee-narrative-feedback",
        "reviewer-accountability-sheet",
        "service-impact-summary",
        VALIDATION_MEASURES_DOC,
    }
)
