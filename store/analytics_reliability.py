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

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import PeriodKind, group_value, rate
from domain.analytics_stats import wilson
from store.analytics import Grouping
from store.analytics_triage import UNDER_TRIAGED
from store.analytics_values import VALUES, ensure_values, in_range

Key = tuple[str, str]  # (period label, group value)
_CLASSES = ("within_tolerance", "emerging", "critical")


class Tally:
    """The counts of one period and group, item by item."""

    def __init__(self) -> None:
        self.reports = self.classified = 0
        self.classes = dict.fromkeys(_CLASSES, 0)
        self.per: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, classification: str | None, category: Any) -> None:
        self.reports += 1
        if classification is None:
            return
        self.classified += 1
        if classification in self.classes:
            self.classes[classification] += 1
        tally = self.per[group_value(category)]
        tally[0] += 1
        tally[1] += classification in UNDER_TRIAGED

    def add_counts(self, category: str, reports: int, *counts: int) -> None:
        """``reports`` items of one category counted in SQL: per class of ``_CLASSES``, then
        classified (any class)."""
        *classes, classified = counts
        self.reports += reports
        self.classified += classified
        for name, n in zip(_CLASSES, classes, strict=True):
            self.classes[name] += n
        if classified:
            tally = self.per[category]
            tally[0] += classified
            tally[1] += sum(n for c, n in zip(_CLASSES, classes, strict=True) if c in UNDER_TRIAGED)

    def figures(self) -> dict[str, Any]:
        """``under_triage_by_category`` maps each category code to its classified and
        under-triaged reports and rate."""
        breaches = self.classes["emerging"] + self.classes["critical"]
        interval = wilson(breaches, self.classified)
        return {
            "reports": self.reports,
            "exceptions": self.reports - self.classified,
            "classified": self.classified,
            **self.classes,
            "threshold_breaches": breaches,
            "threshold_breach_rate": rate(breaches, self.classified),
            "threshold_breach_rate_ci95": list(interval) if interval else None,
            "under_triage_by_category": {
                code: {"classified": n, "under_triaged": under, "under_triage_rate": rate(under, n)}
                for code, (n, under) in sorted(self.per.items())
            },
        }


def reliability_figures(items: list[tuple[str | None, dict[str, Any]]]) -> dict[str, Any]:
    """The figures of one period and group's (classification, fields) items."""
    tally = Tally()
    for classification, fields in items:
        tally.add(classification, fields.get("category_code"))
    return tally.figures()


async def reliability_measures(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind
) -> dict[Key, dict[str, Any]]:
    """Per (period, group): the figures of the example-1 review items of review dates in
    [start, end] (counted in SQL over the items' values per period, group and category)."""
    await ensure_values(session, start, end)
    v = VALUES.c
    counted = (
        select(
            v[kind],
            v[group],
            v.category_code,
            func.count(),
            *(func.count().filter(v.classification == c) for c in _CLASSES),
            func.count(v.classification),
        )
        .where(in_range(start, end))
        .group_by(v[kind], v[group], v.category_code)
    )
    tallies: dict[Key, Tally] = defaultdict(Tally)
    for label, value, category, *counts in await session.execute(counted):
        tallies[(label, value)].add_counts(category, *counts)
    return {key: tally.figures() for key, tally in tallies.items()}
