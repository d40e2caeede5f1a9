"""Every Temporal name (task queue, search attributes, workflows, activities, updates, signals,
queries, schedules) of all three examples, shared by workflows, activities, the API, the CLI and
tests: one place, no drift."""

from __future__ import annotations

TASK_QUEUE = "nearmiss"

# Search attributes (registered by `nearmiss temporal-setup`). Dev server limits: at most
# 10 Keyword, 3 each of Int, Bool, Datetime, Double, Text, KeywordList. No personal data.
SA_EXAMPLE = "Example"  # Keyword: acknowledgment | learning-visibility | closure-credibility | pack
SA_STAGE = "Stage"  # Keyword
SA_EXPOSURE = "Exposure"  # Keyword
SA_SERVICE_LINE = "ServiceLine"  # Keyword
SA_ASSIGNED_ROLE = "AssignedRole"  # Keyword
SA_REFERENCE = "NearMissReference"  # Keyword
SA_CASE_STATUS = "CaseStatus"  # Keyword: open | closed
SA_NEXT_DEADLINE = "NextDeadline"  # Datetime
SA_ESCALATED = "Escalated"  # Bool
SA_ESCALATION_LEVEL = "EscalationLevel"  # Int

SEARCH_ATTRIBUTES: dict[str, str] = {
    SA_EXAMPLE: "Keyword",
    SA_STAGE: "Keyword",
    SA_EXPOSURE: "Keyword",
    SA_SERVICE_LINE: "Keyword",
    SA_ASSIGNED_ROLE: "Keyword",
    SA_REFERENCE: "Keyword",
    SA_CASE_STATUS: "Keyword",
    SA_NEXT_DEADLINE: "Datetime",
    SA_ESCALATED: "Bool",
    SA_ESCALATION_LEVEL: "Int",
}

EXAMPLE_ACKNOWLEDGMENT = "acknowledgment"
EXAMPLE_LEARNING = "learning-visibility"
EXAMPLE_CREDIBILITY = "closure-credibility"


def ack_review_id(review_date: str) -> str:
    """Workflow ID of the example-1 review for a date (YYYY-MM-DD)."""
    return f"ack-review-{review_date}"


def ack_case_id(reference: str) -> str:
    """Workflow ID of the one example-1 case a near-miss report may ever have."""
    return f"ack-case-{reference}"


def register_verification_id(register: str) -> str:
    """Workflow ID of a register's on-demand full verification (one runs at a time)."""
    return f"register-verification-{register}"


def pack_id(kind: str, period: str) -> str:
    """Workflow ID of a pack (kind slug and period, e.g. weekly-sustainability/2026-W48)."""
    return f"pack-{kind}-{period}"


# Activity names: workflows call activities by these constants (never importing activities/).
ACT_COMPUTE_DEADLINE = "compute_deadline"
ACT_PROJECT_CASE = "project_case"
ACT_RECORD_ENTRY = "record_entry"
ACT_RECORD_STEP = "record_step"
ACT_ESCALATE = "escalate_breach"
ACT_DELIVER_NOTIFICATIONS = "deliver_notifications"
ACT_NOTIFY_OPENED = "notify_obligation_opened"
ACT_NOTIFY_PATHWAY = "notify_pathway_opened"
ACT_OPEN_STEP = "open_step"
ACT_NOTIFY_REASSIGNED = "notify_pathway_reassigned"
ACT_ATTRIBUTION_VALUES = "compute_attribution_values"
ACT_RETENTION_VALUES = "compute_retention_values"
ACT_ALERT_VALUES = "alert_values_failing"
ACT_AUTHORIZATION_SHEET = "check_authorization_sheet"
ACT_GENERATE_ACK_REVIEW = "generate_acknowledgment_review"
ACT_VALUE_ACK_REVIEW = "value_acknowledgment_review"  # its items' analytics values
ACT_MARK_REVIEW_REVIEWED = "mark_review_reviewed"
ACT_RECORD_REVIEW_SIGN_OFF = "record_review_sign_off"
ACT_OPEN_ACK_CASES = "open_acknowledgment_cases"
ACT_CLOSE_CASE = "close_case"
ACT_GENERATE_PACK = "generate_pack"
ACT_PUBLISH_PACK = "publish_pack"

# Workflow type names.
WF_REVIEW = "ReviewWorkflow"
WF_ACK_CASE = "AcknowledgmentCaseWorkflow"
WF_PACK = "PackWorkflow"

# Update, signal and query names (verbs for updates and signals, nouns for queries).
UPDATE_SUBMIT_STEP = "submit_step"
UPDATE_OPEN_DOCUMENT = "open_document"
UPDATE_ACCEPT_PATHWAY = "accept_pathway"
UPDATE_COMPLETE_ACTION = "complete_action"
UPDATE_REASSIGN_PATHWAY = "reassign_pathway"
UPDATE_MARK_REVIEWED = "mark_reviewed"
UPDATE_PUBLISH = "publish"
SIGNAL_PACK_PUBLISHED = "pack_published"
SIGNAL_RAISE_EXPOSURE = "raise_exposure"
QUERY_STATE = "state"
QUERY_PROJECTION = "projection"

# Pack kinds (slugs of PRODUCT.md).
PACK_WEEKLY = "weekly-sustainability"
PACK_FORTNIGHTLY = "fortnightly-governance"
PACK_MONTHLY = "monthly-board"
ACT_IS_WORKING_DAY = "is_working_day"
WF_SCHEDULED_START = "ScheduledStartWorkflow"
ACT_START_GOVERNANCE = "start_governance_workflow"
SCHEDULE_ACK_REVIEW = "schedule-acknowledgment-review"
SCHEDULE_WEEKLY_PACK = "schedule-weekly-sustainability-pack"
SCHEDULE_FORTNIGHTLY_PACK = "schedule-fortnightly-governance-pack"
SCHEDULE_MONTHLY_PACK = "schedule-monthly-board-pack"
WF_REGISTER_ANCHOR = "RegisterAnchorWorkflow"
REGISTER_ANCHOR_ID = "register-anchor"
ACT_ANCHOR_HEADS = "anchor_register_heads"
QUERY_ANCHORS = "anchors"
WF_REGISTER_VERIFICATION = "RegisterVerificationWorkflow"
ACT_VERIFY_REGISTERS = "verify_registers"
SCHEDULE_REGISTER_VERIFICATION = "schedule-register-verification"

# A review's one obligation (its breaches carry the review ID as their case_id).
OBLIGATION_MARK_REVIEWED = "mark-reviewed"

# Example 2 (learning visibility): its case workflow, activities and schedule.
WF_LEARNING_CASE = "LearningCaseWorkflow"
ACT_GENERATE_LEARNING_AUDIT = "generate_learning_audit"
ACT_OPEN_LEARNING_CASES = "open_learning_cases"
ACT_LEARNING_ATTRIBUTION_VALUES = "compute_learning_attribution_values"
ACT_LEARNING_STANDARDS_SHEET = "check_learning_control_standards_sheet"
ACT_PIN_LEARNING_BASELINE = "pin_learning_baseline"
ACT_LEARNING_FOLLOW_UP = "compute_learning_follow_up"
SCHEDULE_LEARNING_AUDIT = "schedule-learning-visibility-audit"

# Example 3 (the monthly closure-credibility review, "credibility" in code): its case workflow,
# activities and schedule. The wire names keep "closure" (recorded histories, running schedules).
ACT_GENERATE_CREDIBILITY_REVIEW = "generate_closure_review"
ACT_OPEN_CREDIBILITY_CASES = "open_closure_cases"
ACT_ADJUDICATION_VALUES = "compute_adjudication_values"
ACT_REPAIR_PREREQUISITES = "check_repair_prerequisites"
ACT_CREDIBILITY_BASELINE = "compute_closure_baseline"
ACT_VALIDATION_VALUES = "compute_validation_values"
ACT_REQUEST_RECONFIRMATION = "request_reconfirmation"
WF_CREDIBILITY_CASE = "ClosureCaseWorkflow"
SCHEDULE_CREDIBILITY_REVIEW = "schedule-closure-credibility-review"
