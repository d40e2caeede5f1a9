"""Example 3 step values computed when a step opens (the submitter sees them; mismatch rejected)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.credibility import (
    CONFIRMATIONS,
    EVIDENCE,
    REOPENED,
    SPEAKING_UP,
    AdjudicationValues,
    CredibilityPolicy,
    classify,
    repeated,
)
from domain.credibility_measures import (
    ValidationValues,
    latest_score,
    validation_measures,
)
from domain.instants import instant
from store.credibility import non_credible_items
from store.policies import policy_by_version
from store.sources import current_records
from store.tables import RegisterEntry, Review, ReviewItem, SourceRecord

ADJUDICATION_KIND = "credibility_adjudication"
BASELINE_KIND = "validation_baseline_pinned"


class CredibilityItemMissing(LookupError):
    """The case's review item does not exist."""


async def review_policy(session: AsyncSession, review_id: str) -> CredibilityPolicy | None:
    """The rules the closure review was classified with (pinned in its summary)."""
    review = await session.get(Review, review_id)
    pinned = review.summary.get("policy") if review is not None else None
    return CredibilityPolicy.model_validate(pinned) if pinned else None


async def rules(session: AsyncSession, version: str, review_id: str) -> CredibilityPolicy:
    """The closure rules saved under VERSION (else the review's pinned rules, else defaults)."""
    found = await policy_by_version(session, CredibilityPolicy, version)
    return found or await review_policy(session, review_id) or CredibilityPolicy()


async def review_fields(session: AsyncSession, review_id: str, case_ref: str) -> dict[str, Any]:
    """The stored step-1 fields of the closed case in its review."""
    item = await session.get(ReviewItem, (review_id, case_ref))
    if item is None:
        raise CredibilityItemMissing(f"{case_ref} is not in {review_id}")
    return {**item.fields, "review_classification": item.classification}


async def satellites(session: AsyncSession, case_ref: str) -> dict[str, dict[str, Any] | None]:
    """The latest confirmation, reopen and evidence records of a closed case."""
    return {
        feed: (await current_records(session, feed, [case_ref])).get(case_ref)
        for feed in (CONFIRMATIONS, REOPENED, EVIDENCE)
    }


def _repeats(
    items: list[dict[str, Any]], at: datetime, fields: dict[str, Any], policy: CredibilityPolicy
) -> dict[str, bool]:
    return {
        "repeated_doubtful_same_reviewing_role": repeated(
            items, at, "final_reviewing_role", fields.get("final_reviewing_role"), policy
        ),
        "repeated_doubtful_same_manager_line": repeated(
            items, at, "manager_line", fields.get("manager_line"), policy
        ),
    }


async def adjudication_values(
    session: AsyncSession, review_id: str, case_ref: str, zone: str, policy: CredibilityPolicy
) -> AdjudicationValues:
    """Days from closure to reopen, the review's rules on today's records, repeated patterns.

    POLICY is the review's pinned rules; their version is recorded as the case's rule version.
    """
    fields = await review_fields(session, review_id, case_ref)
    closed_at = instant(fields["closed_at"])
    assert closed_at is not None
    sat = await satellites(session, case_ref)
    now = classify(
        closed_at, sat[CONFIRMATIONS], sat[REOPENED], sat[EVIDENCE], zone=zone, policy=policy
    )
    items = await non_credible_items(session)
    days = now.days_to_reopen
    return AdjudicationValues(
        review_classification=fields["review_classification"],
        current_classification=now.credibility.value,
        current_reasons=now.reasons,
        days_closure_to_reopen=days if days is not None and days >= 0 else None,
        **_repeats(items, closed_at, fields, policy),
        rule_version=policy.version,
    )


async def adjudication_note(session: AsyncSession, case_id: str) -> dict[str, Any]:
    """Step 3's prerequisite: the adjudication note saved in the credibility register."""
    entry = await session.scalar(
        select(RegisterEntry)
        .where(RegisterEntry.subject == case_id, RegisterEntry.kind == ADJUDICATION_KIND)
        .order_by(RegisterEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return {"complete": False, "missing": [ADJUDICATION_KIND]}
    return {
        "complete": True,
        "missing": [],
        "adjudication_note": {
            "register": entry.register,
            "seq": entry.seq,
            "confirmed_status": entry.payload.get("confirmed_status"),
        },
    }


async def speaking_up_rows(session: AsyncSession, employee_id: str) -> list[dict[str, Any]]:
    """The worker's speaking-up confidence responses (current versions)."""
    rows = await session.scalars(
        select(SourceRecord.content).where(
            SourceRecord.feed == SPEAKING_UP,
            SourceRecord.content["employee_id"].as_string() == employee_id,
        )
    )
    return list(rows.all())


async def baseline(
    session: AsyncSession, employee_id: str, activated_at: datetime
) -> tuple[int | None, datetime | None]:
    """The worker's latest speaking-up score before activation (pinned as the baseline), and
    when it was given."""
    return latest_score(await speaking_up_rows(session, employee_id), before=activated_at)


async def validation_values(
    session: AsyncSession,
    review_id: str,
    case_ref: str,
    employee_id: str,
    activated_at: datetime,
    at: datetime,
    policy: CredibilityPolicy,
) -> ValidationValues:
    """Step 4's measures with the adjudication's rules (POLICY), plus the evidence attached:
    only answers received since activation count; what is still missing is named."""
    fields = await review_fields(session, review_id, case_ref)
    sat = await satellites(session, case_ref)
    measures = validation_measures(
        activated_at,
        sat[CONFIRMATIONS],
        sat[REOPENED],
        sat[EVIDENCE],
        await speaking_up_rows(session, employee_id),
        policy,
    )
    status = {True: "confirmed", False: "not_confirmed", None: "no_response"}[measures.confirmation]
    repeats = _repeats(await non_credible_items(session), at, fields, policy)
    return ValidationValues(
        **measures.model_dump(),
        revised_confirmation_status=status,
        repeated_doubtful=any(repeats.values()),
        **repeats,
        confirmation_evidence=sat[CONFIRMATIONS] if measures.confirmation is not None else None,
        reopened_record=sat[REOPENED],
        activated_at=activated_at,
        policy_version=policy.version,
    )
