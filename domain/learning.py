"""Example 2 policy: 14-day cycles, four-feed reconciliation, indicators (a)-(e), step 2 values.

Rules are SOURCES.md "Example 2 — fortnightly learning-visibility audit". Records are the feeds'
JSON contents. Instants are compared in UTC (see ``domain.instants.instant``). Validation
measures and the close gate live in ``domain.learning_measures``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from domain.instants import instant

POLICY_VERSION = "learning-policy-v1"
DEFAULT_ANCHOR = date(2026, 1, 5)

PLATFORM = "incident-platform"
ACTION_TRACKER = "corrective-action-tracker"
BULLETIN_LOG = "learning-bulletin-log"
RECURRENCE_FILE = "recurrence-analysis-file"
CONFIDENCE_FORM = "speaking-up-confidence-form"

# Indicators (a)-(e) of SOURCES.md, in that order.
CORRECTIVE_ACTION_INCOMPLETE = "corrective_action_incomplete_at_closure"  # (a)
NO_FEEDBACK_TO_REPORTER = "no_feedback_to_reporter"  # (b)
NO_SHARED_LEARNING = "no_shared_learning_despite_wider_relevance"  # (c)
RECURRENCE_WITHIN_30_DAYS = "recurrence_within_30_days"  # (d)
CORRECTIVE_ACTION_OVERDUE = "corrective_action_overdue"  # (e)
INDICATORS = (
    CORRECTIVE_ACTION_INCOMPLETE,
    NO_FEEDBACK_TO_REPORTER,
    NO_SHARED_LEARNING,
    RECURRENCE_WITHIN_30_DAYS,
    CORRECTIVE_ACTION_OVERDUE,
)

# The seed's issue types, one per risk-domain code.
ISSUE_TYPES = {
    "medication": "medication process",
    "documentation": "documentation process",
    "route_travel": "route and travel risk",
    "environmental_access": "environmental access",
    "manual_handling": "manual handling",
    "communication": "communication failure",
}


class LearningPolicy(BaseModel):
    """Provider thresholds for example 2, versioned and pinned to each case (baseline rules)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str = POLICY_VERSION
    # Range limits (a PUT outside them is a 422 naming the field).
    cycle_days: Annotated[int, Field(ge=7, le=56)] = 14
    audit_local_time: time = time(7, 0)
    critical_indicator_count: Annotated[int, Field(ge=1, le=5)] = 2  # of the five indicators
    critical_repeat_count: Annotated[int, Field(ge=1, le=100)] = 2
    measure_window_days: Annotated[int, Field(ge=1, le=90)] = 14
    validation_after_days: Annotated[int, Field(ge=1, le=90)] = 14
    # "Recurrence indicators reduced below threshold" (seed, example 2 step 4): the revised
    # count is below the baseline and at most this many reports in the measure window.
    recurrence_tolerance: Annotated[int, Field(ge=0, le=1_000)] = 1
    # Our definition for step 2's repeated-pattern flags (the spec leaves the window open).
    repeat_window_days: Annotated[int, Field(ge=1, le=730)] = 90


class LearningVisibility(StrEnum):
    VISIBLE_LEARNING_CLOSURE = "visible_learning_closure"
    EMERGING = "emerging"
    CRITICAL = "critical"


EXPOSED = frozenset({LearningVisibility.EMERGING, LearningVisibility.CRITICAL})


# -- reconciliation and classification --------------------------------------------------------


def reconcile(
    platform: dict[str, Any],
    bulletin: dict[str, Any] | None,
    recurrence: dict[str, Any] | None,
    action: dict[str, Any] | None,
) -> list[str]:
    """Every reason a closed report does not reconcile across the four feeds (empty: it does)."""
    reasons: list[str] = []
    for feed, row in ((BULLETIN_LOG, bulletin), (RECURRENCE_FILE, recurrence)):
        if row is None:
            reasons.append(f"missing in {feed}")
            continue
        reasons += [
            f"{key} disagrees with {feed}"
            for key in ("risk_domain", "corrective_action_ref")
            if platform.get(key) != row.get(key)
        ]
    if platform.get("corrective_action_ref") is not None:
        if action is None:
            reasons.append(f"missing in {ACTION_TRACKER}")
        else:
            reasons += [
                f"{key} disagrees with {ACTION_TRACKER}"
                for key in ("reference", "risk_domain")
                if platform.get(key) != action.get(key)
            ]
    return reasons


def action_incomplete_at_closure(platform: dict[str, Any], action: dict[str, Any] | None) -> bool:
    """(a): no corrective action, or it is not complete, or it completed after the closure."""
    if action is None or action.get("status") != "complete":
        return True
    completed, closed = instant(action.get("completed_at")), instant(platform.get("closed_at"))
    return completed is None or (closed is not None and completed > closed)


def overdue_actions(actions: list[dict[str, Any]], as_of: datetime) -> int:
    """(e) count: the report's actions due before ``as_of`` and neither complete nor cancelled.

    A cancelled action is not counted: SOURCES.md says "not complete", but an action the
    provider cancelled cannot be overdue (and the completion rate leaves it out too).
    """
    count = 0
    for action in actions:
        due = instant(action.get("due_at"))
        if (
            due is not None
            and due < as_of
            and action.get("status") not in ("complete", "cancelled")
        ):
            count += 1
    return count


def indicators(
    platform: dict[str, Any],
    bulletin: dict[str, Any],
    recurrence: dict[str, Any],
    action: dict[str, Any] | None,
    report_actions: list[dict[str, Any]],
    as_of: datetime,
) -> list[str]:
    """Indicators (a)-(e) present on a reconciled closed report at ``as_of``."""
    present = {
        CORRECTIVE_ACTION_INCOMPLETE: action_incomplete_at_closure(platform, action),
        NO_FEEDBACK_TO_REPORTER: bulletin.get("feedback_to_reporter_at") is None,
        NO_SHARED_LEARNING: bool(bulletin.get("wider_relevance"))
        and bulletin.get("bulletin_issued_at") is None,
        RECURRENCE_WITHIN_30_DAYS: bool(recurrence.get("recurrence_within_30_days")),
        CORRECTIVE_ACTION_OVERDUE: overdue_actions(report_actions, as_of) > 0,
    }
    return [name for name in INDICATORS if present[name]]


def classify(
    found: list[str], repeat_count_same_domain: int, policy: LearningPolicy
) -> LearningVisibility:
    """None: visible learning closure; one: emerging; two or more, or (d) with repeats: critical."""
    repeated_recurrence = (
        RECURRENCE_WITHIN_30_DAYS in found
        and repeat_count_same_domain >= policy.critical_repeat_count
    )
    if len(found) >= policy.critical_indicator_count or repeated_recurrence:
        return LearningVisibility.CRITICAL
    if found:
        return LearningVisibility.EMERGING
    return LearningVisibility.VISIBLE_LEARNING_CLOSURE


class AuditItem(BaseModel):
    """One closed report of an audit: a classification, or None with the exception reasons."""

    reference: str
    classification: LearningVisibility | None
    reasons: list[str]
    fields: dict[str, Any]


def _statuses(bulletin: dict[str, Any] | None, action: dict[str, Any] | None) -> dict[str, Any]:
    feedback = bulletin.get("feedback_to_reporter_at") if bulletin else None
    wider = bool(bulletin.get("wider_relevance")) if bulletin else None
    issued = bulletin.get("bulletin_issued_at") if bulletin else None
    return {
        "corrective_action_status": action.get("status") if action else None,
        "feedback_to_reporter_status": "given" if feedback else "not_given",
        "feedback_to_reporter_at": feedback,
        "shared_learning_status": (
            "issued" if issued else "not_issued" if wider else "not_required"
        ),
        "wider_relevance": wider,
        "bulletin_id": bulletin.get("bulletin_id") if bulletin else None,
    }


def audit_item(
    platform: dict[str, Any],
    bulletin: dict[str, Any] | None,
    recurrence: dict[str, Any] | None,
    action: dict[str, Any] | None,
    report_actions: list[dict[str, Any]],
    as_of: datetime,
    policy: LearningPolicy,
) -> AuditItem:
    """Reconcile then classify one closed report; an exception carries reasons, no class."""
    reasons = reconcile(platform, bulletin, recurrence, action)
    repeats = int(recurrence.get("repeat_count_same_domain", 0)) if recurrence else 0
    found = (
        None
        if reasons or bulletin is None or recurrence is None
        else indicators(platform, bulletin, recurrence, action, report_actions, as_of)
    )
    closed = instant(platform.get("closed_at"))
    fields = {
        "reference": platform["reference"],
        "employee_id": platform.get("employee_id"),
        "service_line": platform.get("service_line"),
        "risk_domain": platform.get("risk_domain"),
        "issue_type": ISSUE_TYPES.get(str(platform.get("risk_domain")), "other"),
        "closed_at": platform.get("closed_at"),
        # The feed's own offset gives the provider's local date (the instant is kept too).
        "closure_date": str(platform["closed_at"])[:10] if closed else None,
        "corrective_action_ref": platform.get("corrective_action_ref"),
        **_statuses(bulletin, action),
        "overdue_corrective_actions": overdue_actions(report_actions, as_of),
        "recurrence_within_30_days": recurrence.get("recurrence_within_30_days")
        if recurrence
        else None,
        "repeat_count_same_domain": repeats if recurrence else None,
        "indicators": found,
        "indicator_count": len(found) if found is not None else None,
    }
    return AuditItem(
        reference=platform["reference"],
        classification=classify(found, repeats, policy) if found is not None else None,
        reasons=reasons,
        fields=fields,
    )


class LearningAttributionValues(BaseModel):
    """Step 2's computed values, computed when the step opens."""

    indicator_count: int
    indicators: list[str]
    risk_domain: str
    service_line: str
    same_domain_repeated_failure: bool
    same_service_line_closes_without_feedback: bool
    recurrence_after_resolved: bool
