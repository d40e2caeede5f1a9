"""Under-triage by near-miss category over the stored example-1 reviews, per review date and
group (the repeated-category rule of step 2 counts emerging and critical reports the same way)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import rate
from store.analytics import Grouping
from store.analytics_values import DATES_PER_BATCH, VALUES, ensure_values, in_range

UNDER_TRIAGED = frozenset({"emerging", "critical"})


def triage_bucket(items: list[tuple[str | None, Any]]) -> dict[str, Any]:
    """Counts and rate of one review date, group and category (classified reports only):
    ``items`` are (classification, indicators)."""
    under = sum(c in UNDER_TRIAGED for c, _ in items)
    indicators = [set(i or []) for _, i in items]
    return {
        "classified": len(items),
        "under_triaged": under,
        "under_triage_rate": rate(under, len(items)),
        "triage_over_threshold": sum("triage_over_threshold" in i for i in indicators),
        "no_named_triage_owner": sum("no_named_triage_owner" in i for i in indicators),
        "manager_not_reviewed": sum("manager_not_reviewed" in i for i in indicators),
    }


def _counts(group: Grouping, first: date, last: date) -> Any:
    v = VALUES.c
    return (
        select(
            v.period,
            v[group],
            v.category_code,
            func.count(),
            func.count().filter(v.classification.in_(sorted(UNDER_TRIAGED))),
            *(func.count().filter(flag) for flag in _flags(v)),
        )
        .where(in_range(first, last), v.classification.is_not(None))
        .group_by(v.period, v[group], v.category_code)
    )


def _flags(v: Any) -> tuple[Any, ...]:  # in triage_bucket's order
    return (v.over_threshold, v.no_owner_indicated, v.manager_not_reviewed)


def triage_figures(n: int, under: int, over: int, no_owner: int, unreviewed: int) -> dict[str, Any]:
    """``triage_bucket`` of ``n`` classified reports counted in SQL."""
    return {
        "classified": n,
        "under_triaged": under,
        "under_triage_rate": rate(under, n),
        "triage_over_threshold": over,
        "no_named_triage_owner": no_owner,
        "manager_not_reviewed": unreviewed,
    }


async def triage_trends(
    session: AsyncSession, group: Grouping, start: date, end: date
) -> list[dict[str, Any]]:
    """One row per review date in [start, end], group value and category code, oldest first
    (counted in SQL over the items' values, a month of review dates per statement)."""
    await ensure_values(session, start, end)
    connection = await session.connection()
    rows: list[dict[str, Any]] = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=DATES_PER_BATCH - 1))
        found = sorted(map(tuple, await connection.execute(_counts(group, first, last))))
        rows.extend(
            {"review_date": period, group: value, "category_code": category,
             **triage_figures(*counts)}
            for period, value, category, *counts in found  # (one row per key: sorted by it)
        )  # fmt: skip
        first = last + timedelta(days=1)
    return rows
