"""Learning analytics over the stored example-2 audits: feedback to the reporter, shared
learning and recurrence within 30 days, per fortnightly cycle and group."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import group_value, rate
from domain.learning import LearningVisibility
from domain.names import EXAMPLE_LEARNING
from store.analytics import Grouping
from store.sources import current_records
from store.tables import Review, ReviewItem

GOVERNANCE_REGISTER = "service-line-governance-register"

Item = tuple[str | None, dict[str, Any]]


def learning_bucket(items: list[Item]) -> dict[str, Any]:
    """Counts and rates of one cycle and group (denominators: reconciled reports only)."""
    counts = {v.value: 0 for v in LearningVisibility}
    reconciled = feedback = wider = issued = recurred = 0
    for classification, fields in items:
        if classification is None:
            continue
        counts[classification] = counts.get(classification, 0) + 1
        reconciled += 1
        feedback += fields.get("feedback_to_reporter_status") == "given"
        if fields.get("wider_relevance"):
            wider += 1
            issued += fields.get("shared_learning_status") == "issued"
        recurred += bool(fields.get("recurrence_within_30_days"))
    return {
        "closed_reports": len(items),
        "exceptions": len(items) - reconciled,
        "reconciled": reconciled,
        **counts,
        "feedback_to_reporter": feedback,
        "feedback_to_reporter_rate": rate(feedback, reconciled),
        "shared_learning_required": wider,
        "shared_learning_issued": issued,
        "shared_learning_rate": rate(issued, wider),
        "recurrence_within_30_days": recurred,
        "recurrence_within_30_days_rate": rate(recurred, reconciled),
    }


async def learning_trends(
    session: AsyncSession, group: Grouping, start: date, end: date
) -> list[dict[str, Any]]:
    """One row per audit (cycle start in [start, end]) and group value, oldest first."""
    rows = (
        await session.execute(
            select(Review.review_id, Review.period, ReviewItem.classification, ReviewItem.fields)
            .join(ReviewItem, ReviewItem.review_id == Review.review_id)
            .where(
                Review.example == EXAMPLE_LEARNING,
                Review.period >= start.isoformat(),
                Review.period <= end.isoformat(),
            )
        )
    ).all()
    lines: dict[str, dict[str, Any]] = {}
    if group == "manager_line":
        # Audit items carry no manager line: the report's governance-register row does.
        lines = await current_records(
            session, GOVERNANCE_REGISTER, [r[3]["reference"] for r in rows]
        )
    grouped: dict[tuple[str, str, str], list[Item]] = defaultdict(list)
    for review_id, period, classification, fields in rows:
        source = lines.get(fields["reference"], {}) if group == "manager_line" else fields
        key = (period, review_id, group_value(source.get(group)))
        grouped[key].append((classification, fields))
    return [
        {"cycle_start": period, "review_id": review_id, group: value, **learning_bucket(items)}
        for (period, review_id, value), items in sorted(grouped.items())
    ]
