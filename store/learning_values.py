"""Example 2 step values from stored feeds, audits and registers (read-only unless named pin).

Each function takes the instant it acts for; none reads the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.learning import (
    ACTION_TRACKER,
    BULLETIN_LOG,
    CONFIDENCE_FORM,
    EXPOSED,
    PLATFORM,
    LearningAttributionValues,
    LearningPolicy,
)
from domain.learning_measures import (
    PinnedBaseline,
    ValidationMeasures,
    ValidationValues,
    rate,
    validation_values,
)
from domain.learning_steps import (
    BASELINE_KIND,
    LEARNING_STABILIZATION_LOG,
    VALIDATION_OPENED_KIND,
    WORKFORCE_GOVERNANCE_RECORD,
)
from domain.names import EXAMPLE_LEARNING
from store.learning import between_prefilter, record_once, within
from store.sources import current_records
from store.tables import RegisterEntry, Review, SourceRecord
from store.tables import ReviewItem as ReviewItemRow


class CaseNotAudited(LookupError):
    """The case's report is not in its audit (no risk domain or service line to measure)."""


async def audit_fields(session: AsyncSession, review_id: str, reference: str) -> dict[str, Any]:
    """The report's fields as its audit recorded them."""
    item = await session.get(ReviewItemRow, (review_id, reference))
    if item is None:
        raise CaseNotAudited(f"{reference} is not in {review_id}")
    return dict(item.fields) | {"classification": item.classification}


async def audit_policy(session: AsyncSession, review_id: str) -> LearningPolicy | None:
    """The rules an audit was classified with (pinned in its summary), if it exists."""
    review = await session.get(Review, review_id)
    pinned = review.summary.get("policy") if review is not None else None
    return LearningPolicy.model_validate(pinned) if pinned else None


async def _recent_items(
    session: AsyncSession, as_of: datetime, days: int, reference: str, **equal: str
) -> list[ReviewItemRow]:
    """Other reports' items of learning audits with ``as_of`` in the last ``days`` days."""
    conditions = [ReviewItemRow.fields[k].as_string() == v for k, v in equal.items()]
    rows = await session.scalars(
        select(ReviewItemRow)
        .join(Review, Review.review_id == ReviewItemRow.review_id)
        .where(
            Review.example == EXAMPLE_LEARNING,
            Review.as_of >= as_of - timedelta(days=days),
            Review.as_of <= as_of,
            ReviewItemRow.reference != reference,
            *conditions,
        )
    )
    return list(rows)


async def attribution_values(
    session: AsyncSession, review_id: str, reference: str, as_of: datetime, policy: LearningPolicy
) -> LearningAttributionValues:
    """Step 2's computed values: the audit's indicators and the repeated-pattern flags.

    Our definitions (the spec leaves them open): the same risk domain has another emerging or
    critical report, and the same service line another report closed without feedback, in the
    learning audits of the last ``repeat_window_days``; recurrence after "resolved" is the
    recurrence analysis file's 30-day recurrence after the report's closure.
    """
    fields = await audit_fields(session, review_id, reference)
    domain, line = str(fields["risk_domain"]), str(fields["service_line"])
    days = policy.repeat_window_days
    same_domain = await _recent_items(session, as_of, days, reference, risk_domain=domain)
    same_line = await _recent_items(session, as_of, days, reference, service_line=line)
    return LearningAttributionValues(
        indicator_count=int(fields.get("indicator_count") or 0),
        indicators=list(fields.get("indicators") or []),
        risk_domain=domain,
        service_line=line,
        same_domain_repeated_failure=any(i.classification in EXPOSED for i in same_domain),
        same_service_line_closes_without_feedback=any(
            i.fields.get("feedback_to_reporter_status") == "not_given" for i in same_line
        ),
        recurrence_after_resolved=bool(fields.get("recurrence_within_30_days")),
    )


async def _rows(
    session: AsyncSession,
    feed: str,
    field: str,
    start: datetime,
    end: datetime | None,
    **equal: str,
) -> list[dict[str, Any]]:
    """Current rows of a feed matching ``equal`` with ``field`` in [start, end) (UTC, exact)."""
    conditions = [SourceRecord.feed == feed]
    conditions += [SourceRecord.content[k].as_string() == v for k, v in equal.items()]
    if end is not None:
        conditions.append(between_prefilter(SourceRecord, field, start, end))
    contents = (await session.scalars(select(SourceRecord.content).where(*conditions))).all()
    return [row for row in contents if within(row.get(field), start, end)]


async def measures(
    session: AsyncSession, domain: str, line: str, end: datetime, policy: LearningPolicy
) -> ValidationMeasures:
    """The four validation measures over [end - window, end) for a risk domain and service line."""
    start = end - timedelta(days=policy.measure_window_days)
    scope = {"risk_domain": domain, "service_line": line}
    submitted = await _rows(session, PLATFORM, "submitted_at", start, end, **scope)
    closed = await _rows(session, PLATFORM, "closed_at", start, end, **scope)
    actions = await _rows(session, ACTION_TRACKER, "due_at", start, end, risk_domain=domain)
    lines = await current_records(session, PLATFORM, [a["reference"] for a in actions])
    due = [
        a
        for a in actions
        if a.get("status") != "cancelled"
        and lines.get(a["reference"], {}).get("service_line") == line
    ]
    complete = sum(1 for a in due if a.get("status") == "complete")
    bulletins = await current_records(session, BULLETIN_LOG, [r["reference"] for r in closed])
    fed_back = sum(
        1 for r in closed if bulletins.get(r["reference"], {}).get("feedback_to_reporter_at")
    )
    scores = [
        int(r["score"])
        for r in await _rows(session, CONFIDENCE_FORM, "submitted_at", start, end, **scope)
    ]
    return ValidationMeasures(
        rule_version=policy.version,
        risk_domain=domain,
        service_line=line,
        window_start=start,
        window_end=end,
        recurrence_count=len(submitted),
        corrective_actions_due=len(due),
        corrective_actions_complete=complete,
        corrective_action_completion_rate=rate(complete, len(due)),
        closed_reports=len(closed),
        closed_reports_with_feedback=fed_back,
        reporter_feedback_completion_rate=rate(fed_back, len(closed)),
        confidence_responses=len(scores),
        confidence_mean=round(sum(scores) / len(scores), 2) if scores else None,
    )


async def pin_baseline(
    session: AsyncSession,
    case_id: str,
    review_id: str,
    reference: str,
    activated_at: datetime,
    policy: LearningPolicy,
) -> PinnedBaseline:
    """Take the baseline at activation and record it once, with its rules, in the stabilization
    log; a retry (or a second call) returns the pinned baseline (and its rules' days to the
    validation) unchanged."""
    fields = await audit_fields(session, review_id, reference)
    baseline = await measures(
        session, str(fields["risk_domain"]), str(fields["service_line"]), activated_at, policy
    )
    payload = await record_once(
        session,
        LEARNING_STABILIZATION_LOG,
        case_id,
        BASELINE_KIND,
        "system",
        activated_at,
        {
            "reference": reference,
            "activated_at": activated_at.isoformat(),
            "measures": baseline.model_dump(mode="json"),
            "policy": policy.model_dump(mode="json"),
        },
    )
    pinned = LearningPolicy.model_validate(payload["policy"])
    return PinnedBaseline(
        measures=ValidationMeasures.model_validate(payload["measures"]),
        validation_after_days=pinned.validation_after_days,
    )


async def _latest_payload(session: AsyncSession, register: str, case_id: str, kind: str) -> Any:
    return await session.scalar(
        select(RegisterEntry.payload)
        .where(
            RegisterEntry.register == register,
            RegisterEntry.subject == case_id,
            RegisterEntry.kind == kind,
        )
        .order_by(RegisterEntry.seq.desc())
        .limit(1)
    )


async def follow_up(
    session: AsyncSession, case_id: str, window_end: datetime | None = None
) -> ValidationValues | None:
    """Follow-up against the pinned baseline, with the pinned rules (None before activation).

    Without ``window_end`` the latest opened validation round's is used (documents do that).
    Confidence counts every response since activation, received up to now.
    """
    pinned = await _latest_payload(session, LEARNING_STABILIZATION_LOG, case_id, BASELINE_KIND)
    if pinned is None:
        return None
    if window_end is None:
        opened = await _latest_payload(
            session, WORKFORCE_GOVERNANCE_RECORD, case_id, VALIDATION_OPENED_KIND
        )
        if opened is None:
            return None
        window_end = datetime.fromisoformat(opened["window_end"])
    policy = LearningPolicy.model_validate(pinned["policy"])
    baseline = ValidationMeasures.model_validate(pinned["measures"])
    activated_at = datetime.fromisoformat(pinned["activated_at"])
    current = await measures(
        session, baseline.risk_domain, baseline.service_line, window_end, policy
    )
    scope = {"risk_domain": baseline.risk_domain, "service_line": baseline.service_line}
    responses = await _rows(session, CONFIDENCE_FORM, "submitted_at", activated_at, None, **scope)
    scores = [int(r["score"]) for r in responses]
    return validation_values(baseline, current, activated_at, scores, policy.recurrence_tolerance)
