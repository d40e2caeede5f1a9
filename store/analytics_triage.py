"""Under-triage by near-miss category over the stored example-1 reviews, per review date and
group (the repeated-category rule of step 2 counts emerging and critical reports the same way)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import group_value, rate
from store.analytics import Grouping
from store.analytics_items import ack_items

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


async def triage_trends(
    session: AsyncSession, group: Grouping, start: date, end: date
) -> list[dict[str, Any]]:
    """One row per review date in [start, end], group value and category code, oldest first
    (read a few review dates at a time)."""
    rows: list[dict[str, Any]] = []
    async for items in ack_items(session, start, end, classified_only=True):
        grouped: dict[tuple[str, str, str], list[tuple[str | None, Any]]] = defaultdict(list)
        for period, classification, fields in items:
            key = (period, group_value(fields.get(group)), group_value(fields.get("category_code")))
            grouped[key].append((classification, fields.get("indicators")))
        rows.extend(
            {"review_date": period, group: value, "category_code": category, **triage_bucket(found)}
            for (period, value, category), found in sorted(grouped.items())
        )
    return rows
