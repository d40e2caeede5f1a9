"""Example 1 step 2 and 3 values, computed from stored feeds, reviews and registers.

Each function reads only; the caller passes the instant the step opens (``as_of``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acknowledgment import (
    EXPOSED,
    PLATFORM,
    REPORTING_LOG,
    RESPONSE_TRACKER,
    RETENTION_IMPACT_KIND,
    AckPolicy,
    AttributionValues,
    RetentionRisk,
    RetentionValues,
    classify,
    triage_incomplete,
)
from domain.acknowledgment_steps import RETENTION_FILE
from domain.instants import instant
from domain.names import EXAMPLE_ACKNOWLEDGMENT
from store.item_fields import item_text
from store.tables import (
    Case,
    RegisterEntry,
    Review,
    ReviewItem,
    SourceRecord,
    SourceRecordVersion,
)

CONCERN_REGISTER = "workforce-concern-register"
_RISK_ORDER: tuple[RetentionRisk, ...] = ("none", "low", "medium", "high")


def _utc(value: datetime | str) -> datetime:
    parsed = instant(value)
    assert parsed is not None
    return parsed


async def case_policy(session: AsyncSession, case_id: str) -> AckPolicy | None:
    """The rules the case's daily review was classified with (pinned in its summary)."""
    case = await session.get(Case, case_id)
    review = await session.get(Review, case.review_id) if case is not None else None
    pinned = review.summary.get("policy") if review is not None else None
    return AckPolicy.model_validate(pinned) if pinned else None


async def worker_rows_between(
    session: AsyncSession,
    feed: str,
    employee_id: str,
    start: datetime,
    end: datetime,
    **equal: str,
) -> list[dict[str, Any]]:
    """A worker's current rows of a feed with ``submitted_at`` in [start, end) (exact, UTC).

    The SQL date-prefix bounds carry a day's margin for offsets; the exact test runs here.
    """
    submitted = SourceRecord.content["submitted_at"].as_string()
    conditions = [
        SourceRecord.feed == feed,
        SourceRecord.content["employee_id"].as_string() == employee_id,
        submitted >= (start - timedelta(days=1)).date().isoformat(),
        submitted < (end + timedelta(days=2)).date().isoformat(),
    ]
    conditions += [SourceRecord.content[name].as_string() == value for name, value in equal.items()]
    contents = (await session.scalars(select(SourceRecord.content).where(*conditions))).all()
    return [row for row in contents if start <= _utc(row["submitted_at"]) < end]


async def _prior_retention_risk(
    session: AsyncSession, employee_id: str, as_of: datetime, days: int
) -> RetentionRisk:
    """Highest impact level the service recorded for the worker in [as_of - days, as_of)."""
    payloads = await session.scalars(
        select(RegisterEntry.payload).where(
            RegisterEntry.register == RETENTION_FILE,
            RegisterEntry.kind == RETENTION_IMPACT_KIND,
            RegisterEntry.recorded_at >= as_of - timedelta(days=days),
            RegisterEntry.recorded_at < as_of,
            RegisterEntry.payload["employee_id"].as_string() == employee_id,
        )
    )
    levels = [p.get("impact_level") for p in payloads if p.get("impact_level") in _RISK_ORDER]
    return max(levels, key=_RISK_ORDER.index, default="none")


async def retention_values(
    session: AsyncSession,
    reference: str,
    employee_id: str,
    submitted_at: datetime,
    risk_domain: str,
    as_of: datetime,
    *,
    policy: AckPolicy | None = None,
) -> RetentionValues:
    """Step 3's reconciled values (SOURCES.md): 180-day counts before this report, this excluded.

    Prior reports reconcile to ``workforce-reporting-log``, repeated exposures (same risk domain)
    to ``incident-platform``, open concerns to ``workforce-concern-register``; the prior retention
    risk is the highest ``retention_impact`` level recorded for the worker in the 90 days before
    ``as_of`` (payload ``employee_id``/``impact_level``), "none" if none.
    """
    policy = policy or AckPolicy()
    end = _utc(submitted_at)
    start = end - timedelta(days=policy.prior_reports_days)
    logged = await worker_rows_between(session, REPORTING_LOG, employee_id, start, end)
    exposures = await worker_rows_between(
        session, PLATFORM, employee_id, start, end, risk_domain=risk_domain
    )
    concerns = (
        await session.scalars(
            select(SourceRecord.content).where(
                SourceRecord.feed == CONCERN_REGISTER,
                SourceRecord.content["employee_id"].as_string() == employee_id,
                SourceRecord.content["status"].as_string() == "open",
            )
        )
    ).all()
    concern_types = sorted({row["concern_type"] for row in concerns})
    return RetentionValues(
        prior_reports_180d=sum(row["reference"] != reference for row in logged),
        repeated_exposures_same_domain_180d=sum(row["reference"] != reference for row in exposures),
        open_concern=bool(concerns),
        open_concern_types=concern_types,
        prior_90d_retention_risk=await _prior_retention_risk(
            session, employee_id, _utc(as_of), policy.retention_risk_days
        ),
    )


async def _exposed_references(
    session: AsyncSession, reference: str, as_of: datetime, days: int, field: str, value: str
) -> set[str]:
    """Other references classified emerging/critical in ack reviews of [as_of - days, as_of]."""
    rows = await session.scalars(
        select(ReviewItem.reference)
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_ACKNOWLEDGMENT,
            Review.as_of >= as_of - timedelta(days=days),
            Review.as_of <= as_of,
            ReviewItem.classification.in_([e.value for e in EXPOSED]),
            ReviewItem.reference != reference,
            item_text(ReviewItem, field) == value,
        )
        .distinct()
    )
    return set(rows)


async def _indicators(
    session: AsyncSession, reference: str, as_of: datetime, policy: AckPolicy
) -> tuple[int, list[str]]:
    """The indicators of the report's latest classified review item (the review the case
    comes from); recomputed from the current records only if no review classified it."""
    fields = await session.scalar(
        select(ReviewItem.fields)
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_ACKNOWLEDGMENT,
            Review.as_of <= as_of,
            ReviewItem.reference == reference,
            ReviewItem.classification.is_not(None),
        )
        .order_by(Review.as_of.desc())
        .limit(1)
    )
    if fields is not None:
        return int(fields["indicator_count"]), list(fields["indicators"])
    platform = await session.get(SourceRecord, (PLATFORM, reference))
    if platform is None:
        return 0, []
    tracker = await session.get(SourceRecord, (RESPONSE_TRACKER, reference))
    result = classify(platform.content, as_of, policy, tracker.content if tracker else None)
    return result.indicator_count, result.indicators


async def _unsafe_while_pending(session: AsyncSession, reference: str, as_of: datetime) -> bool:
    """Any received version of the report (up to ``as_of``) with the unsafe condition active
    while acknowledgment or triage was still pending."""
    versions = await session.scalars(
        select(SourceRecordVersion.content).where(
            SourceRecordVersion.feed == PLATFORM,
            SourceRecordVersion.key == reference,
            SourceRecordVersion.received_at <= as_of,
        )
    )
    return any(
        bool(v.get("unsafe_condition_active"))
        and (v.get("first_acknowledged_at") is None or triage_incomplete(v))
        for v in versions
    )


async def attribution_values(
    session: AsyncSession,
    reference: str,
    employee_id: str,
    category_code: str,
    as_of: datetime,
    *,
    policy: AckPolicy | None = None,
) -> AttributionValues:
    """Step 2's computed values at ``as_of`` (our policy where the spec leaves it open).

    - indicators: those of the report's latest classified review item (see ``_indicators``);
    - repeated worker exposure: another report of the same worker classified emerging or
      critical in any acknowledgment review whose ``as_of`` is in the last 90 days;
    - category repeatedly under-triaged: at least 2 other reports with the same
      ``category_code`` classified emerging or critical in those reviews;
    - unsafe condition active while pending: some received version of the report had
      ``unsafe_condition_active`` with acknowledgment or triage still incomplete.
    """
    policy = policy or AckPolicy()
    at = _utc(as_of)
    count, indicators = await _indicators(session, reference, at, policy)
    days = policy.repeat_window_days
    same_worker = await _exposed_references(
        session, reference, at, days, "employee_id", employee_id
    )
    same_category = await _exposed_references(
        session, reference, at, days, "category_code", category_code
    )
    return AttributionValues(
        indicator_count=count,
        indicators=indicators,
        repeated_worker_exposure=bool(same_worker),
        repeated_category_under_triage=len(same_category) >= policy.repeat_category_min,
        unsafe_condition_active_while_pending=await _unsafe_while_pending(session, reference, at),
    )
