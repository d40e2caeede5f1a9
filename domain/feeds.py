"""Source-feed record models: the public integration contract of SOURCES.md.

Field names are exact; unknown fields are rejected; timestamps need an offset; vocabularies are
enforced. ``FEEDS`` maps each feed name to its model and key field.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from domain.roles import Role
from domain.text import IDENT_PATTERN, TEXT_PATTERN

Ident = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=IDENT_PATTERN),
]
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=TEXT_PATTERN)]


class RiskDomain(StrEnum):
    MEDICATION = "medication"
    DOCUMENTATION = "documentation"
    ROUTE_TRAVEL = "route_travel"
    ENVIRONMENTAL_ACCESS = "environmental_access"
    MANUAL_HANDLING = "manual_handling"
    COMMUNICATION = "communication"


TriageStatus = Literal["pending", "in_triage", "triaged", "closed"]
ActionStatus = Literal["open", "in_progress", "complete", "cancelled"]
EvidenceType = Literal[
    "none", "photo", "audit", "policy_change", "training_record", "risk_assessment"
]
ConcernType = Literal["wellbeing", "safety", "fairness", "workload"]
ClosureFlag = Literal[
    "delayed_acknowledgment",
    "weak_triage",
    "absent_learning_feedback",
    "repeated_recurrence",
    "disputed_closure",
]


class FeedRecord(BaseModel):
    """Base for every feed row: strict field names, no extras."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class IncidentPlatform(FeedRecord):
    reference: Ident
    employee_id: Ident
    service_line: Ident
    client_id: Ident | None = None
    risk_domain: RiskDomain
    category_code: Ident
    submitted_at: AwareDatetime
    first_acknowledged_at: AwareDatetime | None = None
    triage_completed_at: AwareDatetime | None = None
    triage_status: TriageStatus
    triage_owner_id: Ident | None = None
    recurrence_risk: bool
    unsafe_condition_active: bool
    closed_at: AwareDatetime | None = None
    corrective_action_ref: Ident | None = None
    narrative: Text | None = None


class WorkforceReportingLog(FeedRecord):
    reference: Ident
    employee_id: Ident
    service_line: Ident
    triage_owner_id: Ident | None = None
    submitted_at: AwareDatetime
    first_acknowledged_at: AwareDatetime | None = None


class ManagerResponseTracker(FeedRecord):
    reference: Ident
    employee_id: Ident
    service_line: Ident
    triage_owner_id: Ident | None = None
    # Added after the first release (optional): when the current triage owner was named.
    triage_owner_assigned_at: AwareDatetime | None = None
    triage_status: TriageStatus
    manager_reviewed: bool
    updated_at: AwareDatetime


class ServiceLineGovernanceRegister(FeedRecord):
    reference: Ident
    employee_id: Ident
    service_line: Ident
    manager_line: Ident
    triage_owner_id: Ident | None = None
    risk_domain: RiskDomain


class CorrectiveActionTracker(FeedRecord):
    corrective_action_ref: Ident
    reference: Ident
    risk_domain: RiskDomain
    status: ActionStatus
    due_at: AwareDatetime
    completed_at: AwareDatetime | None = None


class LearningBulletinLog(FeedRecord):
    reference: Ident
    risk_domain: RiskDomain
    corrective_action_ref: Ident | None = None
    wider_relevance: bool
    feedback_to_reporter_at: AwareDatetime | None = None
    bulletin_id: Ident | None = None
    bulletin_issued_at: AwareDatetime | None = None


class RecurrenceAnalysisFile(FeedRecord):
    reference: Ident
    risk_domain: RiskDomain
    corrective_action_ref: Ident | None = None
    recurrence_within_30_days: bool
    repeat_count_same_domain: Annotated[int, Field(ge=0)]
    analysed_at: AwareDatetime


class ClosedCaseRegister(FeedRecord):
    case_ref: Ident
    reference: Ident
    employee_id: Ident
    service_line: Ident
    manager_line: Ident
    closed_at: AwareDatetime
    closure_category: Ident
    final_reviewing_role: Ident
    last_employee_communication_at: AwareDatetime | None = None
    flags: list[ClosureFlag] = []


class EmployeeConfirmationForm(FeedRecord):
    case_ref: Ident
    employee_id: Ident
    confirmed: bool
    responded_at: AwareDatetime
    comment: Text | None = None


class ReopenedRiskTracker(FeedRecord):
    case_ref: Ident
    reopened_at: AwareDatetime
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2_000)]


class FinalActionEvidenceLibrary(FeedRecord):
    case_ref: Ident
    evidence_type: EvidenceType
    evidence_ref: Ident | None = None
    recorded_at: AwareDatetime


class WorkforceConcernRegister(FeedRecord):
    concern_id: Ident
    employee_id: Ident
    concern_type: ConcernType
    status: Literal["open", "closed"]
    opened_at: AwareDatetime
    closed_at: AwareDatetime | None = None


class SpeakingUpConfidenceForm(FeedRecord):
    response_id: Ident
    employee_id: Ident
    service_line: Ident
    risk_domain: RiskDomain
    score: Annotated[int, Field(ge=1, le=5)]
    submitted_at: AwareDatetime
    comment: Text | None = None


class StaffDirectory(FeedRecord):
    employee_id: Ident
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)]
    roles: list[Role]
    service_line: Ident | None = None
    manager_line: Ident | None = None
    active: bool
    started_at: date | None = None  # added after the first release (optional): the joining date
    left_at: date | None = None


class FeedSpec(BaseModel):
    """A feed's name, record model and key field."""

    name: str
    model: type[FeedRecord]
    key: str


FEEDS: dict[str, FeedSpec] = {
    spec.name: spec
    for spec in (
        FeedSpec(name="incident-platform", model=IncidentPlatform, key="reference"),
        FeedSpec(name="workforce-reporting-log", model=WorkforceReportingLog, key="reference"),
        FeedSpec(name="manager-response-tracker", model=ManagerResponseTracker, key="reference"),
        FeedSpec(
            name="service-line-governance-register",
            model=ServiceLineGovernanceRegister,
            key="reference",
        ),
        FeedSpec(
            name="corrective-action-tracker",
            model=CorrectiveActionTracker,
            key="corrective_action_ref",
        ),
        FeedSpec(name="learning-bulletin-log", model=LearningBulletinLog, key="reference"),
        FeedSpec(name="recurrence-analysis-file", model=RecurrenceAnalysisFile, key="reference"),
        FeedSpec(name="closed-case-register", model=ClosedCaseRegister, key="case_ref"),
        FeedSpec(name="employee-confirmation-form", model=EmployeeConfirmationForm, key="case_ref"),
        FeedSpec(name="reopened-risk-tracker", model=ReopenedRiskTracker, key="case_ref"),
        FeedSpec(
            name="final-action-evidence-library",
            model=FinalActionEvidenceLibrary,
            key="case_ref",
        ),
        FeedSpec(
            name="workforce-concern-register", model=WorkforceConcernRegister, key="concern_id"
        ),
        FeedSpec(
            name="speaking-up-confidence-form", model=SpeakingUpConfidenceForm, key="response_id"
        ),
        FeedSpec(name="staff-directory", model=StaffDirectory, key="employee_id"),
    )
}
