"""Names shared by workflows, activities, the API, the CLI and tests: one place, no drift."""

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
EXAMPLE_CLOSURE = "closure-credibility"


def ack_review_id(review_date: str) -> str:
    """Workflow ID of the example-1 review for a date (YYYY-MM-DD)."""
    return f"ack-review-{review_date}"


def ack_case_id(reference: str) -> str:
    """Workflow ID of the one example-1 case a near-miss report may ever have."""
    return f"ack-case-{reference}"


def pack_id(kind: str, period: str) -> str:
    """Workflow ID of a pack (kind slug and period, e.g. weekly-sustainability/2026-W48)."""
    return f"pack-{kind}-{period}"
