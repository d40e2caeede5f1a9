"""Retention analytics over the stored example-1 reviews: how acknowledgment and triage exposure
develops per service line, manager line or risk domain, review by review (falling report counts
with steady activity are how reporting hesitancy shows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from statistics import median
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import names
from domain.calendar import BusinessCalendar
from domain.instants import instant
from store.tables import Review, ReviewItem

Grouping = Literal["service_line", "manager_line", "risk_domain"]
OUTCOMES = ("within_tolerance", "emerging", "critical")


def _hours(minutes: list[int]) -> float | None:
    return round(median(minutes) / 60, 2) if minutes else None


def _working(fields: dict[str, Any], minutes: int, cal: BusinessCalendar) -> float | None:
    """Working hours of ``minutes`` elapsed from the report's submission (the review's as-of
    instant stands in for a missing acknowledgment or triage, as in the minutes)."""
    start = instant(fields.get("submitted_at"))
    if start is None:
        return None
    return cal.working_hours_between(start, start + timedelta(minutes=minutes))


def _working_median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(median(known), 2) if known else None


def _bucket(
    items: list[tuple[str | None, dict[str, Any]]], cal: BusinessCalendar
) -> dict[str, Any]:
    """Counts and medians for one review date and group (minutes, hours, working hours)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    acks, triages, no_owner, exceptions = [], [], 0, 0
    for classification, fields in items:
        if classification is None:
            exceptions += 1
            continue
        counts[classification] = counts.get(classification, 0) + 1
        acks.append(fields["ack_elapsed_min"])
        triages.append(fields["triage_elapsed_min"])
        no_owner += fields.get("triage_owner_id") is None
    return {
        "reports": len(items),
        **counts,
        "exceptions": exceptions,
        "threshold_breaches": counts["emerging"] + counts["critical"],
        "no_named_triage_owner": no_owner,
        "median_minutes_to_first_acknowledgment": median(acks) if acks else None,
        "median_minutes_to_triage": median(triages) if triages else None,
        "median_hours_to_first_acknowledgment": _hours(acks),
        "median_hours_to_triage": _hours(triages),
        "median_working_hours_to_first_acknowledgment": _working_median(
            [_working(f, f["ack_elapsed_min"], cal) for c, f in items if c is not None]
        ),
        "median_working_hours_to_triage": _working_median(
            [_working(f, f["triage_elapsed_min"], cal) for c, f in items if c is not None]
        ),
    }


async def ack_review_items(
    session: AsyncSession, start: date, end: date, *, classified_only: bool = False
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(review date, classification, fields) of every example-1 review item in [start, end]."""
    where = [
        Review.example == names.EXAMPLE_ACKNOWLEDGMENT,
        Review.period >= start.isoformat(),
        Review.period <= end.isoformat(),
    ]
    if classified_only:
        where.append(ReviewItem.classification.is_not(None))
    result = await session.execute(
        select(Review.period, ReviewItem.classification, ReviewItem.fields)
        .join(ReviewItem, ReviewItem.review_id == Review.review_id)
        .where(*where)
    )
    return [(period, classification, fields) for period, classification, fields in result]


async def acknowledgment_trends(
    session: AsyncSession, group: Grouping, start: date, end: date, cal: BusinessCalendar
) -> list[dict[str, Any]]:
    """One row per review date and group value in [start, end], oldest first."""
    rows = await ack_review_items(session, start, end)
    grouped: dict[tuple[str, str], list[tuple[str | None, dict[str, Any]]]] = defaultdict(list)
    for period, classification, fields in rows:
        grouped[(period, str(fields.get(group) or "unknown"))].append((classification, fields))
    return [
        {"review_date": period, group: value, **_bucket(items, cal)}
        for (period, value), items in sorted(grouped.items())
    ]
