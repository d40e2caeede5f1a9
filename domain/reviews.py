"""Generated reviews (step 1 of each example) declared as data for the one review workflow."""

from __future__ import annotations

from dataclasses import dataclass

from domain import names
from domain.roles import Role


@dataclass(frozen=True)
class ReviewSpec:
    """How an example's review is generated, who marks it reviewed and by when."""

    example: str
    role: Role
    reviewed_rule: str  # counted from the review's as_of instant
    generate_activity: str
    open_cases_activity: str
    workspace: str
    skip_non_working_days: bool
    as_of_local_time: str = "07:00"


ACKNOWLEDGMENT_REVIEW = ReviewSpec(
    example=names.EXAMPLE_ACKNOWLEDGMENT,
    role=Role.SAFETY_LEARNING_ASSURANCE_ANALYST,
    reviewed_rule="at 09:30",
    generate_activity=names.ACT_GENERATE_ACK_REVIEW,
    open_cases_activity=names.ACT_OPEN_ACK_CASES,
    workspace="safety-learning-assurance-workspace",
    skip_non_working_days=True,
)

REVIEWS: dict[str, ReviewSpec] = {spec.example: spec for spec in (ACKNOWLEDGMENT_REVIEW,)}


def review_id(example: str, period: str) -> str:
    """Workflow ID (and review ID) from the business key: a re-run never duplicates."""
    prefix = {
        names.EXAMPLE_ACKNOWLEDGMENT: "ack-review",
        names.EXAMPLE_LEARNING: "learning-audit",
        names.EXAMPLE_CLOSURE: "closure-review",
    }[example]
    return f"{prefix}-{period}"
