"""Acknowledgment and triage reliability of /analytics/series per ISO week or month and group:
threshold breaches (emerging and critical reports of the daily reviews) and under-triage by
near-miss category, each rate over classified reports with its Wilson 95% interval.

A report counts in the period of the review date that classified it; exceptions (not
reconciled) are counted but left out of every denominator.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import PeriodKind, group_value, period_label, rate
from domain.analytics_stats import wilson
from store.analytics import Grouping, ack_review_items
from store.analytics_triage import UNDER_TRIAGED

Key = tuple[str, str]  # (period label, group value)


def reliability_figures(items: list[tuple[str | None, dict[str, Any]]]) -> dict[str, Any]:
    """Counts of one period and group; ``under_triage_by_category`` maps each category code to
    its classified and under-triaged reports and rate."""
    classified = [(c, f) for c, f in items if c is not None]
    breaches = sum(c in UNDER_TRIAGED for c, _ in classified)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for classification, fields in classified:
        tally = per[group_value(fields.get("category_code"))]
        tally[0] += 1
        tally[1] += classification in UNDER_TRIAGED
    counts = {
        "reports": len(items),
        "exceptions": len(items) - len(classified),
        "classified": len(classified),
        "within_tolerance": sum(c == "within_tolerance" for c, _ in classified),
        "emerging": sum(c == "emerging" for c, _ in classified),
        "critical": sum(c == "critical" for c, _ in classified),
        "threshold_breaches": breaches,
    }
    interval = wilson(breaches, len(classified))
    figures: dict[str, Any] = {
        **counts,
        "threshold_breach_rate": rate(breaches, len(classified)),
        "threshold_breach_rate_ci95": list(interval) if interval else None,
    }
    figures["under_triage_by_category"] = {
        code: {"classified": n, "under_triaged": under, "under_triage_rate": rate(under, n)}
        for code, (n, under) in sorted(per.items())
    }
    return figures


async def reliability_measures(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind
) -> dict[Key, list[tuple[str | None, dict[str, Any]]]]:
    """Per (period, group): the example-1 review items of review dates in [start, end]."""
    grouped: dict[Key, list[tuple[str | None, dict[str, Any]]]] = defaultdict(list)
    for period, classification, fields in await ack_review_items(session, start, end):
        day = date.fromisoformat(period)
        grouped[(period_label(day, kind), group_value(fields.get(group)))].append(
            (classification, fields)
        )
    return grouped
