"""Example 1 policy: reconcile four feeds, classify acknowledgment-delay exposure (pure).

Rules are SOURCES.md "Default policy" (general + Example 1). Records are the feeds' JSON contents
(timestamps as ISO 8601 strings with an offset, or aware datetimes). Every duration is computed on
UTC instants: arithmetic on aware datetimes sharing one ``ZoneInfo`` is wall-clock arithmetic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.instants import elapsed_minutes, instant

POLICY_VERSION = "ack-policy-v1"

PLATFORM = "incident-platform"
REPORTING_LOG = "workforce-reporting-log"
RESPONSE_TRACKER = "manager-response-tracker"
GOVERNANCE_REGISTER = "service-line-governance-register"
ACK_FEEDS = (PLATFORM, REPORTING_LOG, RESPONSE_TRACKER, GOVERNANCE_REGISTER)

# Register entry kinds the step engine writes (subject = case ID); documents and step 3 read them.
ATTRIBUTION_KIND = "triage_attribution"
RETENTION_IMPACT_KIND = "retention_impact"

KEY_FIELDS = ("employee_id", "service_line", "triage_owner_id")
TRIAGE_DONE = frozenset({"triaged", "closed"})

# The step-1 fields of PRODUCT.md, one dict per report, identical keys for every item.
ITEM_FIELDS = (
    "reference", "employee_id", "submitted_at", "category_code", "first_acknowledged_at",
    "triage_completed_at", "triage_status", "client_id", "risk_domain", "triage_owner_id",
    "recurrence_risk", "ack_elapsed_min", "triage_elapsed_min", "service_line", "manager_line",
    "unsafe_condition_active", "indicators", "indicator_count",
)  # fmt: skip


class AckPolicy(BaseModel):
    """Provider thresholds (minutes, seconds, days), versioned and pinned to each case."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str = POLICY_VERSION
    # Range limits (a PUT outside them is a 422 naming the field): minutes up to 90 days.
    ack_emerging_min: Annotated[int, Field(ge=1, le=129_600)] = 1440
    ack_critical_min: Annotated[int, Field(ge=1, le=129_600)] = 2880
    triage_emerging_min: Annotated[int, Field(ge=1, le=129_600)] = 4320
    triage_critical_min: Annotated[int, Field(ge=1, le=129_600)] = 7200
    agree_seconds: Annotated[int, Field(ge=0, le=3_600)] = 60
    scope_days: Annotated[int, Field(ge=1, le=366)] = 30
    prior_reports_days: Annotated[int, Field(ge=1, le=730)] = 180
    retention_risk_days: Annotated[int, Field(ge=1, le=730)] = 90
    # Our definitions for step 2's repeated-pattern flags (the spec leaves them open).
    repeat_window_days: Annotated[int, Field(ge=1, le=730)] = 90
    repeat_category_min: Annotated[int, Field(ge=2, le=100)] = 2

    @field_validator("ack_critical_min", "triage_critical_min")
    @classmethod
    def _critical_above_emerging(cls, value: int, info: ValidationInfo) -> int:
        emerging = info.field_name.replace("critical", "emerging") if info.field_name else ""
        if emerging in info.data and value <= info.data[emerging]:
            raise ValueError(f"must be above {emerging} ({info.data[emerging]})")
        return value


class Exposure(StrEnum):
    WITHIN_TOLERANCE = "within_tolerance"
    EMERGING = "emerging"
    CRITICAL = "critical"


_RANK = {Exposure.WITHIN_TOLERANCE: 0, Exposure.EMERGING: 1, Exposure.CRITICAL: 2}
EXPOSED = frozenset({Exposure.EMERGING, Exposure.CRITICAL})


class Classification(BaseModel):
    """A reconciled report's exposure, elapsed minutes and triage-failure indicators."""

    model_config = ConfigDict(frozen=True)
    exposure: Exposure
    ack_elapsed_min: int
    triage_elapsed_min: int
    indicators: list[str]
    indicator_count: int


class ReviewItem(BaseModel):
    """One report of a review: a classification, or None with the exception reasons."""

    reference: str
    classification: Exposure | None
    reasons: list[str]
    fields: dict[str, Any]


def _agree_reason(field: str, feed: str, ours: Any, theirs: Any, policy: AckPolicy) -> str | None:
    """Why two timestamps disagree (None when they agree; null agrees only with null)."""
    a, b = instant(ours), instant(theirs)
    if a is None and b is None:
        return None
    if a is None or b is None:
        return f"{field} disagrees with {feed}"
    gap = abs(a - b)
    if gap <= timedelta(seconds=policy.agree_seconds):
        return None
    # Whole seconds, rounded down: the set-based review (store.acknowledgment_review) writes
    # the same text in SQL.
    return f"{field} disagrees with {feed} (by {gap // timedelta(seconds=1)} s)"


def reconcile(
    platform: dict[str, Any],
    log: dict[str, Any] | None,
    tracker: dict[str, Any] | None,
    register: dict[str, Any] | None,
    policy: AckPolicy,
) -> list[str]:
    """Every reason the report does not reconcile across the four feeds (empty: it does)."""
    reasons: list[str] = []
    for feed, row in (
        (REPORTING_LOG, log),
        (RESPONSE_TRACKER, tracker),
        (GOVERNANCE_REGISTER, register),
    ):
        if row is None:
            reasons.append(f"missing in {feed}")
            continue
        reasons += [
            f"{key} disagrees with {feed}"
            for key in KEY_FIELDS
            if platform.get(key) != row.get(key)
        ]
    if log is not None:
        for field in ("submitted_at", "first_acknowledged_at"):
            reason = _agree_reason(
                field, REPORTING_LOG, platform.get(field), log.get(field), policy
            )
            if reason:
                reasons.append(reason)
    if tracker is not None and platform.get("triage_status") != tracker.get("triage_status"):
        reasons.append(f"triage_status disagrees with {RESPONSE_TRACKER}")
    # The seed: "service-line governance fields reconcile to the service-line governance
    # register" — the register carries the report's risk domain too.
    if register is not None and platform.get("risk_domain") != register.get("risk_domain"):
        reasons.append(f"risk_domain disagrees with {GOVERNANCE_REGISTER}")
    return reasons


def triage_incomplete(platform: dict[str, Any]) -> bool:
    """Triage is incomplete until it has a completion time and a triaged/closed status."""
    return (
        platform.get("triage_completed_at") is None
        or platform.get("triage_status") not in TRIAGE_DONE
    )


def _elapsed(platform: dict[str, Any], as_of: datetime) -> tuple[int, int]:
    """(ack, triage) elapsed minutes; the as-of instant stands in for a missing timestamp."""
    submitted = platform["submitted_at"]
    return (
        elapsed_minutes(submitted, platform.get("first_acknowledged_at") or as_of),
        elapsed_minutes(submitted, platform.get("triage_completed_at") or as_of),
    )


def classify(
    platform: dict[str, Any],
    as_of: datetime,
    policy: AckPolicy,
    tracker: dict[str, Any] | None = None,
) -> Classification:
    """Exposure and indicators of a reconciled report at ``as_of`` (SOURCES.md Example 1)."""
    ack, triage = _elapsed(platform, as_of)
    no_owner = platform.get("triage_owner_id") is None
    indicators = [
        name
        for name, present in (
            ("ack_over_threshold", ack > policy.ack_emerging_min),
            ("triage_over_threshold", triage > policy.triage_emerging_min),
            ("no_named_triage_owner", no_owner),
            (
                "manager_not_reviewed",
                tracker is not None and tracker.get("manager_reviewed") is False,
            ),
            (
                "unsafe_condition_while_triage_incomplete",
                bool(platform.get("unsafe_condition_active")) and triage_incomplete(platform),
            ),
        )
        if present
    ]
    emerging = ack > policy.ack_emerging_min or triage > policy.triage_emerging_min or no_owner
    critical = (
        ack > policy.ack_critical_min
        or triage > policy.triage_critical_min
        or (emerging and bool(platform.get("unsafe_condition_active")))
    )
    exposure = (
        Exposure.CRITICAL
        if critical
        else Exposure.EMERGING
        if emerging
        else Exposure.WITHIN_TOLERANCE
    )
    return Classification(
        exposure=exposure,
        ack_elapsed_min=ack,
        triage_elapsed_min=triage,
        indicators=indicators,
        indicator_count=len(indicators),
    )


def raise_only(old: Exposure, new: Exposure) -> Exposure:
    """A case's exposure only rises (emerging -> critical), never falls."""
    old, new = Exposure(old), Exposure(new)
    return new if _RANK[new] > _RANK[old] else old


def review_item(
    platform: dict[str, Any],
    log: dict[str, Any] | None,
    tracker: dict[str, Any] | None,
    register: dict[str, Any] | None,
    as_of: datetime,
    policy: AckPolicy,
) -> ReviewItem:
    """Reconcile then classify one in-scope report; an exception carries reasons, no class."""
    reasons = reconcile(platform, log, tracker, register, policy)
    result = None if reasons else classify(platform, as_of, policy, tracker)
    fields = {name: platform.get(name) for name in ITEM_FIELDS}
    if result is None:
        fields["ack_elapsed_min"], fields["triage_elapsed_min"] = _elapsed(platform, as_of)
    else:
        fields["ack_elapsed_min"] = result.ack_elapsed_min
        fields["triage_elapsed_min"] = result.triage_elapsed_min
    fields["manager_line"] = register.get("manager_line") if register else None
    # An exception is not classified, so it has no indicators (None, not an empty list).
    fields["indicators"] = result.indicators if result else None
    fields["indicator_count"] = result.indicator_count if result else None
    return ReviewItem(
        reference=platform["reference"],
        classification=result.exposure if result else None,
        reasons=reasons,
        fields=fields,
    )


# Activity results: models live here so workflows (which import only domain/) can use them.


class AckReviewResult(BaseModel):
    """A stored example-1 review: counts by classification, exposed reports, exceptions.

    The exposed reports themselves stay in the review's stored items (cases open from there).
    """

    review_id: str
    as_of: datetime
    counts: dict[str, int]
    exposed: int
    exceptions: int
    generated_at: datetime


RetentionRisk = Literal["none", "low", "medium", "high"]


class RetentionValues(BaseModel):
    """Step 3's reconciled values (SOURCES.md), computed when the step opens."""

    prior_reports_180d: int
    repeated_exposures_same_domain_180d: int
    open_concern: bool
    open_concern_types: list[str]
    prior_90d_retention_risk: RetentionRisk


class AttributionValues(BaseModel):
    """Step 2's computed values, computed when the step opens."""

    indicator_count: int
    indicators: list[str]
    repeated_worker_exposure: bool
    repeated_category_under_triage: bool
    unsafe_condition_active_while_pending: bool
