"""Outcome measures of /analytics/series per ISO week or month and group: acknowledgment and
triage reliability (threshold breaches, under-triage by category: store.analytics_reliability),
speaking-up confidence,
learning made visible (feedback to the reporter, shared learning, recurrence within 30 days,
visible-learning closures) and closure credibility (credible / doubtful / failed, employee-
confirmed, reopened within 30 days, repeated doubtful closures by reviewing role and by manager
line), each rate with its Wilson 95% interval.

A report or closure counts in the period of its local closure date, once the audit or review
that classified it has run (the latest such review when one was run again); exceptions (not
reconciled) are counted but left out of every denominator.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import PeriodKind, group_value, local_date, period_label, rate
from domain.analytics_stats import wilson
from domain.credibility import Credibility
from domain.names import EXAMPLE_LEARNING
from store.analytics import Grouping
from store.analytics_credibility import ClosureRow, closure_bucket, closure_items, closure_rows
from store.analytics_learning import learning_bucket
from store.analytics_reliability import reliability_figures, reliability_measures
from store.analytics_workforce import confidence_trends
from store.sources import current_records
from store.tables import Review, ReviewItem

PLATFORM = "incident-platform"
GOVERNANCE_REGISTER = "service-line-governance-register"
CYCLE_DAYS = 14
Key = tuple[str, str]  # (period label, group value)


def with_ci(counts: dict[str, Any], pairs: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """``counts`` plus ``NAME_rate`` and ``NAME_rate_ci95`` per NAME: (numerator, denominator)."""
    out = dict(counts)
    for name, (num, den) in pairs.items():
        interval = wilson(counts[num], counts[den])
        out[f"{name}_rate"] = rate(counts[num], counts[den])
        out[f"{name}_rate_ci95"] = list(interval) if interval else None
    return out


RATES: dict[str, dict[str, tuple[str, str]]] = {
    "reliability": {"threshold_breach": ("threshold_breaches", "classified")},
    "confidence": {"low_score": ("low_scores", "responses")},
    "learning": {
        "visible_learning": ("visible_learning_closure", "reconciled"),
        "feedback_to_reporter": ("feedback_to_reporter", "reconciled"),
        "shared_learning": ("shared_learning_issued", "shared_learning_required"),
        "recurrence_within_30_days": ("recurrence_within_30_days", "reconciled"),
    },
    "closure": {
        **{c.value: (c.value, "reconciled") for c in Credibility},
        "employee_confirmed": ("employee_confirmed", "reconciled"),
        "reopened_within_30_days": ("reopened_within_30_days", "reconciled"),
    },
}
"""Per family: each ``NAME_rate`` and ``NAME_rate_ci95`` as (numerator, denominator) counts."""


def learning_figures(items: list[tuple[str | None, dict[str, Any]]]) -> dict[str, Any]:
    bucket = learning_bucket(items)
    keep = ("closed_reports", "exceptions", "reconciled", "visible_learning_closure", "emerging",
            "critical", "feedback_to_reporter", "shared_learning_required",
            "shared_learning_issued", "recurrence_within_30_days")  # fmt: skip
    return with_ci({k: bucket[k] for k in keep}, RATES["learning"])


def closure_figures(rows: list[ClosureRow], exceptions: int) -> dict[str, Any]:
    bucket = closure_bucket(rows, exceptions)
    keep = ("closures", "exceptions", "reconciled", *(c.value for c in Credibility),
            "employee_confirmed", "employee_disputed", "reopened_within_30_days",
            "doubtful_or_failed_by_reviewer", "repeated_doubtful_closures",
            "repeated_doubtful_by_reviewer", "doubtful_or_failed_by_manager_line",
            "repeated_doubtful_by_manager_line",
            "repeated_doubtful_closures_role_or_line")  # fmt: skip
    return with_ci({k: bucket[k] for k in keep}, RATES["closure"])


def confidence_figures(row: dict[str, Any] | None) -> dict[str, Any]:
    counts = {k: (row or {}).get(k) or 0 for k in ("responses", "respondents", "low_scores")}
    figures = with_ci(counts, RATES["confidence"])
    return {**figures, "mean_score": (row or {}).get("mean_score")}


async def _learning(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind, zone: str
) -> dict[Key, list[tuple[str | None, dict[str, Any]]]]:
    rows = await session.execute(
        select(ReviewItem.classification, ReviewItem.fields)
        .join(Review, ReviewItem.review_id == Review.review_id)
        .where(
            Review.example == EXAMPLE_LEARNING,
            Review.period >= (start - timedelta(days=CYCLE_DAYS)).isoformat(),
            Review.period <= end.isoformat(),
        )
        .order_by(Review.period, Review.review_id)
    )
    latest = {f["reference"]: (c, f) for c, f in rows}  # a later audit of a report wins
    lines: dict[str, dict[str, Any]] = {}
    if group == "manager_line":
        lines = await current_records(session, GOVERNANCE_REGISTER, list(latest))
    grouped: dict[Key, list[tuple[str | None, dict[str, Any]]]] = defaultdict(list)
    for ref, (classification, fields) in latest.items():
        day = local_date(fields.get("closed_at"), zone)
        if day is None or not start <= day <= end:
            continue
        source = lines.get(ref, {}) if group == "manager_line" else fields
        grouped[(period_label(day, kind), group_value(source.get(group)))].append(
            (classification, fields)
        )
    return grouped


async def _closure(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind, zone: str
) -> tuple[dict[Key, list[ClosureRow]], dict[Key, int]]:
    latest = {
        f["case_ref"]: (p, c, f, s) for p, c, f, s in await closure_items(session, start, end)
    }

    def period_of(_: str, fields: dict[str, Any]) -> str | None:
        day = local_date(fields.get("closed_at"), zone)
        return period_label(day, kind) if day is not None and start <= day <= end else None

    return await closure_rows(session, group, list(latest.values()), zone, period_of)


async def outcome_measures(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind, zone: str
) -> tuple[dict[Key, dict[str, Any]], set[str]]:
    """Per (period, group): ``confidence``, ``learning`` and ``closure`` figures, and every group
    value seen. Periods and groups without data get zero counts and null rates."""
    confidence = {
        (r["period"], r[group]): r
        for r in await confidence_trends(session, group, start, end, kind, zone)
    }
    learning = await _learning(session, group, start, end, kind, zone)
    closures, exceptions = await _closure(session, group, start, end, kind, zone)
    reliability = await reliability_measures(session, group, start, end, kind)
    keys = set(confidence) | set(learning) | set(closures) | set(exceptions) | set(reliability)
    found = {
        key: {
            "reliability": reliability.get(key) or reliability_figures([]),
            "confidence": confidence_figures(confidence.get(key)),
            "learning": learning_figures(learning.get(key, [])),
            "closure": closure_figures(closures.get(key, []), exceptions.get(key, 0)),
        }
        for key in keys
    }
    return found, {value for _, value in keys}


EMPTY: dict[str, Any] = {
    "reliability": reliability_figures([]),
    "confidence": confidence_figures(None),
    "learning": learning_figures([]),
    "closure": closure_figures([], 0),
}
