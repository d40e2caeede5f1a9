"""Example 3 policy: month arithmetic, closure-credibility classification, step 2 values.

Pure (SOURCES.md "Example 3"). Records are the feeds' JSON contents; instants are compared in UTC,
calendar days are counted on local dates in the provider's zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.instants import instant

POLICY_VERSION = "closure-policy-v1"

CLOSED_REGISTER = "closed-case-register"
CONFIRMATIONS = "employee-confirmation-form"
REOPENED = "reopened-risk-tracker"
EVIDENCE = "final-action-evidence-library"
SPEAKING_UP = "speaking-up-confidence-form"
CREDIBILITY_FEEDS = (CLOSED_REGISTER, CONFIRMATIONS, REOPENED, EVIDENCE)

CREDIBILITY_REGISTER = "reporting-closure-credibility-register"
REPAIR_LOG = "reporting-closure-repair-log"
BOARD_RECORD = "board-workforce-experience-record"
WORKSPACE = "workforce-experience-reporting-workspace"


FLAGS = (
    "delayed_acknowledgment",
    "weak_triage",
    "absent_learning_feedback",
    "repeated_recurrence",
    "disputed_closure",
)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


CASE_PREFIX = "closure-case-"  # an example-3 case's workflow ID: this and the closed case


# A later example-3 case of the same closure (a late dispute after its repair ended): the case
# ID of the first with this and the month of the review that took it again ("~late-2027-01").
_AGAIN = re.compile(r"~late-\d{4}-\d{2}$")


def credibility_case_id(case_ref: str, again: str = "") -> str:
    """Workflow ID of the example-3 case of a closed case: the first one, or (``again``: the
    month, ``YYYY-MM``, of the review that took a late dispute) a later one. One per review."""
    return f"{CASE_PREFIX}{case_ref}" + (f"~late-{again}" if again else "")


def case_ref_of(case_id: str) -> str:
    """The closed case's ``case_ref`` from an example-3 case ID (a first or later one)."""
    return _AGAIN.sub("", case_id.removeprefix(CASE_PREFIX))


class CredibilityPolicy(BaseModel):
    """Provider thresholds for example 3, versioned and pinned to each review and case."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str = POLICY_VERSION
    # Range limits (a PUT outside them is a 422 naming the field).
    reopen_days: Annotated[int, Field(ge=1, le=365)] = 30
    validation_days: Annotated[int, Field(ge=1, le=90)] = 21
    # The worker is asked again this many days before each validation opens.
    reconfirm_days_before: Annotated[int, Field(ge=0, le=89)] = 7
    # Our definition of "repeated doubtful closures" (the spec leaves it open): at least
    # repeat_min non-credible closures (this one included) by the same final reviewing role, or
    # the same manager line, closed in the repeat_window_days up to this closure.
    repeat_window_days: Annotated[int, Field(ge=1, le=730)] = 90
    repeat_min: Annotated[int, Field(ge=2, le=100)] = 2

    @field_validator("reconfirm_days_before")
    @classmethod
    def _before_the_validation(cls, value: int, info: ValidationInfo) -> int:
        days = info.data.get("validation_days")
        if days is not None and value >= days:
            raise ValueError(f"must be fewer than validation_days ({days})")
        return value


class Credibility(StrEnum):
    CREDIBLE = "credible"
    DOUBTFUL = "doubtful"
    FAILED = "failed"


RANK = {Credibility.CREDIBLE: 0, Credibility.DOUBTFUL: 1, Credibility.FAILED: 2}
NOT_CREDIBLE = frozenset({Credibility.DOUBTFUL, Credibility.FAILED})


# -- months ----------------------------------------------------------------------------------


def parse_month(period: str) -> date:
    """The first day of month ``YYYY-MM``; ValueError otherwise."""
    match = _MONTH.match(period)
    if match is None:
        raise ValueError(f"month {period!r} must be YYYY-MM")
    return date(int(match[1]), int(match[2]), 1)


def next_month(first: date) -> date:
    """The first day of the month after ``first``'s month."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day: date) -> str:
    """``YYYY-MM`` of the month before ``day``'s month (what a review run on ``day`` covers)."""
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def month_bounds(period: str, zone: str) -> tuple[datetime, datetime]:
    """[start, end) of month ``period`` as UTC instants: local midnights in ``zone``."""
    first = parse_month(period)
    tz = ZoneInfo(zone)

    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)

    return midnight(first), midnight(next_month(first))


def local_days_between(start: datetime, end: datetime, zone: str) -> int:
    """Calendar days from ``start``'s local date to ``end``'s (negative if end is earlier)."""
    tz = ZoneInfo(zone)
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days


# -- late disputes --------------------------------------------------------------------------

# A late dispute's item carries these in its fields (and only it): the closure was reviewed (or
# its month's review had run) before the worker answered "not resolved", so a later month's
# review takes it again (``store.credibility_late``).
LATE_DISPUTE = "late_dispute"
# the answer came after this: the previous closure review's generation, or a later end of a
# repair of the closure (when the closure was last looked at, at the latest)
ANSWERED_AFTER = "answered_after"
ANSWER_RECEIVED_AT = "answer_received_at"


def is_late_dispute(
    *,
    confirmed: bool | None,
    received_at: datetime,
    closed_at: datetime,
    month_start: datetime,
    previous_review_at: datetime | None,
    last_reviewed_at: datetime | None,
    repair_open: bool,
) -> bool:
    """Whether a month's review (of the month starting ``month_start``) takes a closure of an
    earlier month again: its worker's current answer is "not resolved" and was received after
    the previous closure review was generated (``previous_review_at``; none: nothing was ever
    reviewed) and after the closure was last looked at (``last_reviewed_at``: the latest review
    holding it, or the end of a repair of it), and no repair of it is open (an open repair's
    validation reads the answer)."""
    return (
        confirmed is False
        and closed_at < month_start
        and previous_review_at is not None
        and received_at > previous_review_at
        and (last_reviewed_at is None or received_at > last_reviewed_at)
        and not repair_open
    )


# -- classification --------------------------------------------------------------------------


class CredibilityResult(BaseModel):
    """The classification of one closure with the rules that decided it."""

    model_config = ConfigDict(frozen=True)
    credibility: Credibility
    reasons: list[str]
    confirmation: bool | None
    reopened_within: bool
    days_to_reopen: int | None
    evidence_type: str | None


def classify(
    closed_at: datetime,
    confirmation: dict[str, Any] | None,
    reopened: dict[str, Any] | None,
    evidence: dict[str, Any] | None,
    *,
    zone: str,
    policy: CredibilityPolicy,
) -> CredibilityResult:
    """failed / doubtful / credible (SOURCES.md Example 3); reopen days on local dates."""
    days = None
    if reopened is not None:
        reopened_at = instant(reopened["reopened_at"])
        assert reopened_at is not None
        days = local_days_between(closed_at, reopened_at, zone)
    within = days is not None and 0 <= days <= policy.reopen_days
    confirmed = None if confirmation is None else bool(confirmation["confirmed"])
    evidence_type = None if evidence is None else str(evidence["evidence_type"])
    failed = [
        name
        for name, hit in (
            ("reopened_within_30_days", within),
            ("employee_answered_not_resolved", confirmed is False),
        )
        if hit
    ]
    doubtful = [
        name
        for name, hit in (
            ("no_employee_confirmation", confirmed is None),
            ("no_final_action_evidence", evidence_type is None),
            ("final_action_evidence_none", evidence_type == "none"),
        )
        if hit
    ]
    credibility = (
        Credibility.FAILED if failed else Credibility.DOUBTFUL if doubtful else Credibility.CREDIBLE
    )
    return CredibilityResult(
        credibility=credibility,
        reasons=failed + doubtful,
        confirmation=confirmed,
        reopened_within=within,
        days_to_reopen=days,
        evidence_type=evidence_type,
    )


def reconciliation_reasons(
    closure: dict[str, Any],
    confirmation: dict[str, Any] | None,
    reopened: dict[str, Any] | None,
) -> list[str]:
    """Why a closure does not reconcile with its satellite feeds (empty when it does)."""
    reasons = []
    if confirmation is not None and confirmation["employee_id"] != closure["employee_id"]:
        reasons.append(f"employee_id disagrees with {CONFIRMATIONS}")
    if reopened is not None:
        reopened_at = instant(reopened["reopened_at"])
        closed_at = instant(closure["closed_at"])
        assert reopened_at is not None and closed_at is not None
        if reopened_at < closed_at:
            reasons.append(f"reopened_at in {REOPENED} is before closed_at")
    return reasons


def repeated(
    items: list[dict[str, Any]],
    closed_at: datetime,
    key: str,
    value: Any,
    policy: CredibilityPolicy,
) -> bool:
    """At least ``repeat_min`` non-credible closures with ``key == value`` in the window."""
    if value is None:
        return False
    start = closed_at - timedelta(days=policy.repeat_window_days)
    count = 0
    for item in items:
        at = instant(item.get("closed_at"))
        if item.get(key) == value and at is not None and start <= at <= closed_at:
            count += 1
    return count >= policy.repeat_min


class CredibilityStepRequest(BaseModel):
    """What example-3 step activities need: the case, its closed case and the instants."""

    case_id: str
    case_ref: str
    reference: str
    review_id: str
    at: datetime
    zone: str = "Europe/London"
    activated_at: datetime | None = None
    cycle: int = 0
    # The adjudication's rule version: validation applies the same closure-credibility rules.
    rule_version: str = POLICY_VERSION


class AdjudicationValues(BaseModel):
    """Step 2's computed values, computed when the step opens: the review's classification and
    today's (same rules), days from closure to reopen, repeated-doubtful patterns, and the rule
    version the case keeps from now on."""

    review_classification: str
    current_classification: str
    current_reasons: list[str]
    days_closure_to_reopen: int | None
    repeated_doubtful_same_reviewing_role: bool
    repeated_doubtful_same_manager_line: bool
    rule_version: str
