"""Generated reviews (step 1 of each example) declared as data for the one review workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain import credibility, learning_steps, names
from domain.calendar import BusinessCalendar
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
    # By when the generated review must exist, counted from as_of (example 1: "by 7:30 a.m.").
    generate_rule: str = "at 07:30"
    # "date": the period is the run date; "month": the period (YYYY-MM) is the month reviewed and
    # the review runs on the first working day of the following month; "cycle": the period is a
    # 14-day cycle's start date and the audit runs on the first working day after the cycle.
    period_kind: str = "date"
    # Run right after generation: writes what the example's analytics read (None: nothing to).
    value_activity: str | None = None


ACKNOWLEDGMENT_REVIEW = ReviewSpec(
    example=names.EXAMPLE_ACKNOWLEDGMENT,
    role=Role.SAFETY_LEARNING_ASSURANCE_ANALYST,
    reviewed_rule="at 09:30",
    generate_activity=names.ACT_GENERATE_ACK_REVIEW,
    open_cases_activity=names.ACT_OPEN_ACK_CASES,
    workspace="safety-learning-assurance-workspace",
    skip_non_working_days=True,
    value_activity=names.ACT_VALUE_ACK_REVIEW,
)

CLOSURE_REVIEW = ReviewSpec(
    example=names.EXAMPLE_CREDIBILITY,
    role=Role.WORKFORCE_EXPERIENCE_REPORTING_ANALYST,
    reviewed_rule="5th working day of month",
    generate_activity=names.ACT_GENERATE_CREDIBILITY_REVIEW,
    open_cases_activity=names.ACT_OPEN_CREDIBILITY_CASES,
    workspace=credibility.WORKSPACE,
    generate_rule="5th working day of month",  # "by the fifth working day of each month"
    skip_non_working_days=False,
    period_kind="month",
)

LEARNING_AUDIT = ReviewSpec(
    example=names.EXAMPLE_LEARNING,
    role=Role.LEARNING_VISIBILITY_AUDITOR,
    reviewed_rule="close of business",  # of the audit's run day (as_of is 07:00 that day)
    generate_activity=names.ACT_GENERATE_LEARNING_AUDIT,
    open_cases_activity=names.ACT_OPEN_LEARNING_CASES,
    workspace=learning_steps.LEARNING_VISIBILITY_WORKSPACE,
    generate_rule="close of business",  # "on the first business day after each 14-day cycle"
    skip_non_working_days=False,
    period_kind="cycle",
)

GENERATE_REVIEW = "generate-review"  # the obligation (and breach step) of a review's generation
# A back-run (a review a person asked for after its sign-off deadline had passed) is signed off
# by close of business of its generation day (README, "Reviews and their deadlines").
BACK_RUN_RULE = "close of business"

REVIEWS: dict[str, ReviewSpec] = {
    spec.example: spec for spec in (ACKNOWLEDGMENT_REVIEW, CLOSURE_REVIEW, LEARNING_AUDIT)
}


def review_id(example: str, period: str) -> str:
    """Workflow ID (and review ID) from the business key: a re-run never duplicates."""
    prefix = {
        names.EXAMPLE_ACKNOWLEDGMENT: "ack-review",
        names.EXAMPLE_LEARNING: "learning-audit",
        names.EXAMPLE_CREDIBILITY: "closure-review",
    }[example]
    return f"{prefix}-{period}"


def sign_off_due(
    example: str, as_of: datetime, stored: datetime | None, calendar: BusinessCalendar
) -> datetime:
    """When a review was due to be marked reviewed: the deadline its workflow stored when it
    opened the sign-off (a back-run's included); before that is stored (a moment after the
    review is generated), the example's rule from ``as_of``. My work and the evidence pack."""
    if stored is not None:
        return stored
    return calendar.deadline(REVIEWS[example].reviewed_rule, as_of).astimezone(UTC)
