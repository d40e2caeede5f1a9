"""Example 3 step 4 (repair validation) measures: updated answers only, the pinned rules.

Pure. SOURCES.md "Example 3 / Validation measures" and the seed: the reviewer "cannot proceed
without updated employee confirmation data, updated reopened-risk-case status" — so only a
confirmation and a speaking-up answer received after activation count, and "the same
closure-credibility rules are used before and after repair" — the adjudication's rule version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

from domain.credibility import CONFIRMATIONS, SPEAKING_UP, Credibility, CredibilityPolicy
from domain.instants import instant

IsoInstant = Annotated[
    datetime, PlainSerializer(lambda at: at.isoformat(), return_type=str, when_used="json")
]
"""An instant written as ``datetime.isoformat()`` gives it (as the repair log has always had it)."""


class PinnedBaseline(BaseModel):
    """Pinned in the repair log at activation (once): the worker's speaking-up score before it,
    the activation instant, the adjudication's rule version and that version's validation timer
    (days to the validation, days before it the worker is asked again)."""

    baseline_score: int | None
    baseline_at: IsoInstant | None
    activated_at: IsoInstant
    rule_version: str
    validation_days: int
    reconfirm_days_before: int
    reference: str


class ValidationMeasures(BaseModel):
    """Step 4's measures, taken with the adjudication's rules at every validation of a case."""

    model_config = ConfigDict(frozen=True)
    rule_version: str
    confirmation: bool | None
    confirmation_responded_at: datetime | None
    reopened_since_activation: bool
    baseline_score: int | None
    revised_score: int | None
    revised_score_at: datetime | None
    credibility: Credibility
    measurable_improvement: bool
    # Forms with no answer received since activation: the step cannot be submitted (409).
    missing_since_activation: list[str]


class ValidationValues(ValidationMeasures):
    """Step 4's computed values: the measures, the confirmation status, repeated-doubtful
    patterns and the evidence the measures rest on."""

    revised_confirmation_status: str
    repeated_doubtful: bool
    repeated_doubtful_same_reviewing_role: bool
    repeated_doubtful_same_manager_line: bool
    confirmation_evidence: dict[str, Any] | None
    reopened_record: dict[str, Any] | None
    activated_at: IsoInstant
    policy_version: str


def latest_score(
    responses: list[dict[str, Any]],
    before: datetime | None = None,
    since: datetime | None = None,
) -> tuple[int | None, datetime | None]:
    """The latest speaking-up score (strictly before ``before``, at or after ``since``)."""
    best: tuple[datetime, int] | None = None
    for row in responses:
        at = instant(row["submitted_at"])
        assert at is not None
        if (before is not None and at >= before) or (since is not None and at < since):
            continue
        if best is None or at > best[0]:
            best = (at, int(row["score"]))
    return (best[1], best[0]) if best else (None, None)


def measurable_improvement(
    confirmation: bool | None, reopened_since: bool, baseline: int | None, revised: int | None
) -> bool:
    """Confirmed true, no reopen since activation, a score not lower than the baseline."""
    if confirmation is not True or reopened_since or revised is None:
        return False
    return baseline is None or revised >= baseline


def confirmation_since(
    confirmation: dict[str, Any] | None, activated_at: datetime
) -> dict[str, Any] | None:
    """The confirmation if the worker answered at or after activation (an older one is stale)."""
    if confirmation is None:
        return None
    responded = instant(confirmation["responded_at"])
    return confirmation if responded is not None and responded >= activated_at else None


def reopened_since(
    reopened: dict[str, Any] | None, activated_at: datetime, policy: CredibilityPolicy
) -> bool:
    """A reopen at or after activation and within the policy's reopen days of it."""
    at = instant(reopened["reopened_at"]) if reopened else None
    if at is None or at < activated_at:
        return False
    return (at - activated_at).days <= policy.reopen_days


def validation_measures(
    activated_at: datetime,
    confirmation: dict[str, Any] | None,
    reopened: dict[str, Any] | None,
    evidence: dict[str, Any] | None,
    responses: list[dict[str, Any]],
    policy: CredibilityPolicy,
) -> ValidationMeasures:
    """Measures at validation: answers since activation, reopen since activation, the score
    against the latest one before activation, classified by the review's rules."""
    fresh = confirmation_since(confirmation, activated_at)
    since = reopened_since(reopened, activated_at, policy)
    confirmed = None if fresh is None else bool(fresh["confirmed"])
    baseline, _ = latest_score(responses, before=activated_at)
    revised, revised_at = latest_score(responses, since=activated_at)
    evidence_type = None if evidence is None else evidence["evidence_type"]
    if since or confirmed is False:
        credibility = Credibility.FAILED
    elif confirmed is None or evidence_type in (None, "none"):
        credibility = Credibility.DOUBTFUL
    else:
        credibility = Credibility.CREDIBLE
    missing = [
        form
        for form, absent in ((CONFIRMATIONS, fresh is None), (SPEAKING_UP, revised is None))
        if absent
    ]
    return ValidationMeasures(
        rule_version=policy.version,
        confirmation=confirmed,
        confirmation_responded_at=instant(fresh["responded_at"]) if fresh else None,
        reopened_since_activation=since,
        baseline_score=baseline,
        revised_score=revised,
        revised_score_at=revised_at,
        credibility=credibility,
        measurable_improvement=measurable_improvement(confirmed, since, baseline, revised),
        missing_since_activation=missing,
    )
