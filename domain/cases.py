"""Case workflow state and the inputs/results exchanged between workflows, activities and API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from domain.calendar import CalendarConfig, DeadlineResult
from domain.roles import Role


class Actor(BaseModel):
    """Who acts: the API resolves the roles from the staff directory and passes them in."""

    employee_id: str
    roles: list[Role] = []


class Obligation(BaseModel):
    """Something a role or named owner must do by a deadline; escalates until done."""

    key: str
    title: str
    role: Role | None = None
    assignee: str | None = None
    opened_at: datetime
    deadline: datetime
    deadline_rule: str
    calendar_version: str
    level: int = 0
    next_escalation_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
    late: bool = False


def owed(obligations: list[Obligation]) -> list[dict[str, Any]]:
    """Open obligations as the case projection keeps them, for "my work" (each person's list)."""
    return [
        {
            "key": ob.key,
            "title": ob.title,
            "role": ob.role.value if ob.role else None,
            "assignee": ob.assignee,
            "deadline": ob.deadline.isoformat(),
        }
        for ob in obligations
        if ob.done_at is None
    ]


class TimelineEvent(BaseModel):
    at: datetime
    kind: str
    actor: str
    detail: dict[str, Any] = {}


class CaseInput(BaseModel):
    """Start input of a case workflow: business key, policy and calendar pinned at opening."""

    case_id: str
    example: str
    reference: str
    review_id: str
    exposure: str
    service_line: str
    opened_at: datetime
    calendar: CalendarConfig
    policy_version: str


class CaseState(BaseModel):
    """Everything the validators judge and the query returns (Temporal is the state of record)."""

    case_id: str
    example: str
    reference: str
    review_id: str
    exposure: str
    service_line: str
    stage: str = "opened"
    status: Literal["open", "closed"] = "open"
    opened_at: datetime
    policy_version: str
    current_step: str | None = None
    obligations: dict[str, Obligation] = {}
    computed: dict[str, dict[str, Any]] = {}
    opened_documents: dict[str, list[str]] = {}
    document_entries: dict[str, list[str]] = {}
    results: dict[str, dict[str, Any]] = {}
    pathway_owner: str | None = None
    pathway_accepted_at: datetime | None = None
    pathway_active_at: datetime | None = None  # accepted and (where required) in a published pack
    actions: dict[str, Obligation] = {}
    visible_in: list[str] = []
    closure: dict[str, Any] | None = None
    timeline: list[TimelineEvent] = []


class StepSubmission(BaseModel):
    step: str
    actor: Actor
    fields: dict[str, Any]


class StepReceipt(BaseModel):
    case_id: str
    step: str
    accepted_at: datetime
    late: bool
    register_name: str
    entry_seq: int


class DocumentOpened(BaseModel):
    document: str
    actor: Actor
    # The IDs of the document's entries as built at this opening (chronology entries, records),
    # so a step can only cite an entry that is in the document it cites.
    entries: list[str] = []


class PathwayAcceptance(BaseModel):
    actor: Actor


class PathwayReassignment(BaseModel):
    """An administrator hands an absent named owner's pathway to someone else."""

    actor: Actor
    new_owner: str
    reason: str


class ReassignmentNotice(BaseModel):
    """Tell both owners that a pathway changed hands (the mail to each)."""

    case_id: str
    reference: str
    previous_owner: str
    new_owner: str
    reason: str
    by: str
    at: datetime
    owed: list[str]  # titles of what the new owner now owes


class ActionDone(BaseModel):
    action: str
    actor: Actor
    note: str | None = None


class PackPublished(BaseModel):
    kind: str
    period: str
    published_at: datetime
    published_by: str


class ExposureRaised(BaseModel):
    exposure: str
    review_id: str


class DeadlineRequest(BaseModel):
    calendar: CalendarConfig
    rule: str
    start: datetime


class EscalationRequest(BaseModel):
    """A missed deadline at one level: record a breach, queue and deliver notifications."""

    case_id: str
    example: str
    obligation: str
    title: str
    role: Role | None
    assignee: str | None
    deadline: datetime
    level: int
    at: datetime


class ObligationNotice(BaseModel):
    """An obligation just opened: tell whoever now owes it ("this is now yours")."""

    subject: str
    example: str
    obligation: str
    title: str
    role: Role | None
    assignee: str | None
    deadline: datetime
    opened_at: datetime


class PathwayNotice(BaseModel):
    """A pathway just authorized: tell its owner, in one mail, everything it opened for them
    (acceptance, each action, a first review), each item with its deadline."""

    subject: str
    example: str
    pathway: str  # its title as the workflow names it: "closure-repair pathway"
    owner: str
    opened_at: datetime
    items: list[ObligationNotice]


class EscalationResult(BaseModel):
    breach_recorded: bool
    notified: list[str] = Field(default_factory=list)
    message_ids: list[int] = Field(default_factory=list)


class KeyedEvent(BaseModel):
    """A timeline event with its deduplication key (its place in the case's timeline)."""

    key: str
    event: TimelineEvent


class ProjectionUpdate(BaseModel):
    """The case row as the workflow sees it now, plus timeline events (deduplicated).

    ``earlier_events`` are events that happened since the last projection, written first (a
    step opening sends its obligation and its stage in one write).
    """

    case_id: str
    example: str
    reference: str
    review_id: str
    service_line: str
    exposure: str
    stage: str
    status: str
    assigned_role: str | None
    assignee: str | None
    deadline: datetime | None
    escalation_level: int
    opened_at: datetime
    at: datetime
    closed_at: datetime | None = None
    detail: dict[str, Any] = {}
    event: TimelineEvent | None = None
    event_key: str | None = None
    done_obligations: list[str] = []
    earlier_events: list[KeyedEvent] = []


class RecordEntryRequest(BaseModel):
    """Append a step result to its register, timestamped with its actor."""

    register_name: str
    subject: str
    kind: str
    actor: str
    at: datetime
    payload: dict[str, Any]


class RecordStepRequest(BaseModel):
    """A step's register entry and the projection after it, written in one transaction; and
    the deadlines of DEADLINE_RULES counted from the entry's instant, computed by CALENDAR in
    the same activity (what the acceptance may open next: no calendar call of its own)."""

    entry: RecordEntryRequest
    projection: ProjectionUpdate
    calendar: CalendarConfig | None = None
    deadline_rules: list[str] = []


class RecordEntryResult(BaseModel):
    register_name: str
    seq: int
    hash: str


class RecordStepResult(RecordEntryResult):
    """The step's entry and the deadlines asked for (none from an older worker or a stub)."""

    deadlines: list[DeadlineResult] = []


class CaseRef(BaseModel):
    """Identifies a case for activities that compute values from the store."""

    case_id: str
    reference: str
    as_of: datetime


class CloseRequest(BaseModel):
    case_id: str
    reference: str
    example: str
    category: str
    final_reviewing_role: str
    at: datetime
    register_name: str


class WorkingDayRequest(BaseModel):
    calendar: CalendarConfig
    day: date
