"""Closure analytics over the stored example-3 reviews: employee-confirmed closures, reopens
within 30 days and repeated doubtful closures by reviewing role and by manager line, per month
and group.

The classification counts are the review's (as at its ``as_of``); confirmations and reopens are
read from the feeds' current records, so an answer or a reopen that arrived after the review
still counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import group_value, months, rate
from domain.credibility import (
    CONFIRMATIONS,
    EVIDENCE,
    REOPENED,
    Credibility,
    CredibilityPolicy,
    classify,
    repeated,
)
from domain.instants import instant
from domain.names import EXAMPLE_CREDIBILITY
from store.analytics import Grouping
from store.credibility import non_credible_items
from store.sources import current_records
from store.tables import Review, ReviewItem

PLATFORM = "incident-platform"
NOT_CREDIBLE = (Credibility.DOUBTFUL.value, Credibility.FAILED.value)


class ClosureRow:
    """One reconciled closure of a review, with what today's records say about it."""

    def __init__(self, classification: str, fields: dict[str, Any], now: dict[str, Any]) -> None:
        self.classification = classification
        self.fields = fields
        self.now = now


def closure_bucket(rows: list[ClosureRow], exceptions: int) -> dict[str, Any]:
    """Counts and rates of one month and group (denominator: reconciled closures)."""
    counts = Counter(r.classification for r in rows)
    confirmed = sum(r.now["confirmed"] is True for r in rows)
    disputed = sum(r.now["confirmed"] is False for r in rows)
    reopened = sum(r.now["reopened_within"] for r in rows)
    doubtful = Counter(
        str(r.fields.get("final_reviewing_role")) for r in rows if r.classification in NOT_CREDIBLE
    )
    repeats = Counter(
        str(r.fields.get("final_reviewing_role")) for r in rows if r.now["repeated_reviewer"]
    )
    # The seed: "repeated doubtful closures by the same reviewing roles or manager lines".
    by_line = Counter(
        str(r.fields.get("manager_line")) for r in rows if r.classification in NOT_CREDIBLE
    )
    line_repeats = Counter(
        str(r.fields.get("manager_line")) for r in rows if r.now["repeated_manager_line"]
    )
    return {
        "closures": len(rows) + exceptions,
        "exceptions": exceptions,
        "reconciled": len(rows),
        **{c.value: counts.get(c.value, 0) for c in Credibility},
        "employee_confirmed": confirmed,
        "employee_confirmed_rate": rate(confirmed, len(rows)),
        "employee_disputed": disputed,
        "reopened_within_30_days": reopened,
        "reopened_within_30_days_rate": rate(reopened, len(rows)),
        "doubtful_or_failed_by_reviewer": dict(sorted(doubtful.items())),
        "repeated_doubtful_closures": sum(repeats.values()),
        "repeated_doubtful_by_reviewer": dict(sorted(repeats.items())),
        "doubtful_or_failed_by_manager_line": dict(sorted(by_line.items())),
        "repeated_doubtful_by_manager_line": dict(sorted(line_repeats.items())),
        "repeated_doubtful_closures_role_or_line": sum(
            r.now["repeated_reviewer"] or r.now["repeated_manager_line"] for r in rows
        ),
    }


async def closure_items(
    session: AsyncSession, start: date, end: date
) -> list[tuple[str, str | None, dict[str, Any], dict[str, Any]]]:
    rows = await session.execute(
        select(Review.period, ReviewItem.classification, ReviewItem.fields, Review.summary)
        .join(ReviewItem, ReviewItem.review_id == Review.review_id)
        .where(Review.example == EXAMPLE_CREDIBILITY, Review.period.in_(months(start, end)))
    )
    return [(p, c, f, s) for p, c, f, s in rows]


async def closure_trends(
    session: AsyncSession, group: Grouping, start: date, end: date, zone: str
) -> list[dict[str, Any]]:
    """One row per reviewed month (overlapping [start, end]) and group value, oldest first."""
    items = await closure_items(session, start, end)
    grouped, exceptions = await closure_rows(session, group, items, zone, lambda p, _: p)
    return [
        {"month": period, group: value, **closure_bucket(grouped[key], exceptions[key])}
        for key in sorted(set(grouped) | set(exceptions))
        for period, value in (key,)
    ]


ClosureItem = tuple[
    str, str | None, dict[str, Any], dict[str, Any]
]  # period, class, fields, summary


async def closure_rows(
    session: AsyncSession,
    group: Grouping,
    items: list[ClosureItem],
    zone: str,
    period_of: Callable[[str, dict[str, Any]], str | None],
) -> tuple[dict[tuple[str, str], list[ClosureRow]], Counter[tuple[str, str]]]:
    """The reviewed closures by (period, group value) with today's outcome (confirmation, reopen,
    repeated reviewer and manager line), and the exceptions counted apart. ``period_of(review
    period, fields)`` names an item's period, or None to leave it out."""
    refs = [f["reference"] for _, _, f, _ in items]
    domains = await current_records(session, PLATFORM, refs) if group == "risk_domain" else {}
    keys = [f["case_ref"] for _, _, f, _ in items]
    satellites = {
        feed: await current_records(session, feed, keys)
        for feed in (CONFIRMATIONS, REOPENED, EVIDENCE)
    }
    earlier = await non_credible_items(session) if items else []
    grouped: dict[tuple[str, str], list[ClosureRow]] = defaultdict(list)
    exceptions: Counter[tuple[str, str]] = Counter()
    for period, classification, fields, summary in items:
        label = period_of(period, fields)
        if label is None:
            continue
        source = domains.get(fields["reference"], {}) if group == "risk_domain" else fields
        key = (label, group_value(source.get(group)))
        if classification is None:
            exceptions[key] += 1
            continue
        policy = CredibilityPolicy.model_validate(summary.get("policy") or {})
        now = current_outcome(classification, fields, satellites, earlier, zone, policy)
        grouped[key].append(ClosureRow(classification, fields, now))
    return grouped, exceptions


def current_outcome(
    classification: str,
    fields: dict[str, Any],
    satellites: dict[str, dict[str, dict[str, Any]]],
    earlier: list[dict[str, Any]],
    zone: str,
    policy: CredibilityPolicy,
) -> dict[str, Any]:
    """Today's confirmation and reopen (the review's rules) and the repeated-reviewer flag."""
    ref = fields["case_ref"]
    at = instant(fields["closed_at"])
    assert at is not None
    result = classify(
        at,
        satellites[CONFIRMATIONS].get(ref),
        satellites[REOPENED].get(ref),
        satellites[EVIDENCE].get(ref),
        zone=zone,
        policy=policy,
    )
    role = fields.get("final_reviewing_role")
    return {
        "confirmed": result.confirmation,
        "reopened_within": result.reopened_within,
        # CredibilityPolicy's rule, as step 2 applies it: this closure is doubtful or failed and its
        # reviewing role has repeat_min such closures in the repeat window up to it.
        "repeated_reviewer": classification in NOT_CREDIBLE
        and repeated(earlier, at, "final_reviewing_role", role, policy),
        "repeated_manager_line": classification in NOT_CREDIBLE
        and repeated(earlier, at, "manager_line", fields.get("manager_line"), policy),
    }
