"""Example 3 steps 2-4 (adjudication, closure-repair pathway, repair validation) as data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.acknowledgment_steps import DateOrInstant, EvidenceRef, Note, Submission
from domain.closure import BOARD_RECORD, CREDIBILITY_REGISTER, REPAIR_LOG
from domain.names import EXAMPLE_CLOSURE
from domain.roles import Role
from domain.steps import StepSpec

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
    model_config = ConfigDict(extra="forbid")
    source: CredibilitySource
    evidence: Annotated[list[EvidenceRef], Field(min_length=1)]


class CredibilityAdjudication(Submission):
    """Step 2 fields (reporting-closure credibility register).

    ``confirmed_sources`` may be empty only when the status is confirmed credible; the
    computed fields must equal what the service computed when the step opened.
    """

    confirmed_status: CredibilityStatus
    confirmed_sources: list[ConfirmedCredibilitySource] = []
    days_closure_to_reopen: Annotated[int, Field(ge=0)] | None
    repeated_doubtful_same_reviewing_role: bool
    repeated_doubtful_same_manager_line: bool
    still_relevant_to_workforce_trust: bool
    note: Note


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
    accountable_owner_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    final_corrective_deadline: DateOrInstant
    worker_reconnection_deadline: DateOrInstant
    follow_up_review_date: date
    direct_senior_safety_learning_contact: bool
    independent_verification_of_improvement: bool
    reopen_reporting_control_plan: bool
    wider_closure_discipline_correction: bool
    note: Note


ConfirmationStatus = Literal["confirmed", "not_confirmed", "no_response"]


class RepairValidation(Submission):
    """Step 4 fields (board workforce experience record).

    ``close`` is refused unless the computed measures show measurable improvement or a formal
    escalation is minuted (``escalation_minute`` now, or at an earlier validation of the case);
    ``escalate`` requires the minute.
    """

    revised_confirmation_status: ConfirmationStatus
    revised_reopened_status: bool
    revised_confidence_score: Annotated[int, Field(ge=1, le=5)] | None
    final_credibility_outcome: CredibilityStatus
    worker_regards_resolved: bool
    repeated_doubtful_closures_remain: bool
    decision: Literal["close", "continue", "escalate"]
    escalation_minute: Note | None = None
    note: Note


CREDIBILITY_ADJUDICATION = StepSpec(
    slug="credibility-adjudication",
    example=EXAMPLE_CLOSURE,
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
    example=EXAMPLE_CLOSURE,
    title="Closure-repair pathway",
    role=Role.DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING,
    deadline_rule="3 working days",
    prerequisites=("reviewer-accountability-sheet", "service-impact-summary"),
    register=REPAIR_LOG,
    fields=RepairPathway,
)

REPAIR_VALIDATION = StepSpec(
    slug="repair-validation",
    example=EXAMPLE_CLOSURE,
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
