"""Retention analytics over the stored example-1 reviews: how acknowledgment and triage exposure
develops per service line, manager line or risk domain, review by review (falling report counts
with steady activity are how reporting hesitancy shows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import median
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import BusinessCalendar
from domain.working_clock import WorkingClock, clock_for
from store.analytics_items import ack_items, working_hours

Grouping = Literal["service_line", "manager_line", "risk_domain"]
OUTCOMES = ("within_tolerance", "emerging", "critical")


def _hours(minutes: list[int]) -> float | None:
    return round(median(minutes) / 60, 2) if minutes else None


def _working_median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(median(known), 2) if known else None


class _Bucket:
    """Counts and the values whose medians are taken, of one review date and group."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.reports = self.exceptions = self.no_owner = 0
        self.acks: list[int] = []
        self.triages: list[int] = []
        self.working_acks: list[float | None] = []
        self.working_triages: list[float | None] = []

    def add(self, classification: str | None, fields: dict[str, Any], clock: WorkingClock) -> None:
        self.reports += 1
        if classification is None:
            self.exceptions += 1
            return
        ack, triage = fields["ack_elapsed_min"], fields["triage_elapsed_min"]
        self.counts[classification] = self.counts.get(classification, 0) + 1
        self.acks.append(ack)
        self.triages.append(triage)
        self.no_owner += fields.get("triage_owner_id") is None
        # Working hours from the report's submission (the review's as-of instant stands in
        # for a missing acknowledgment or triage, as in the minutes).
        working = working_hours(clock, fields.get("submitted_at"))
        self.working_acks.append(working(ack))
        self.working_triages.append(working(triage))

    def figures(self) -> dict[str, Any]:
        acks, triages, counts = self.acks, self.triages, self.counts
        return {
            "reports": self.reports,
            **counts,
            "exceptions": self.exceptions,
            "threshold_breaches": counts["emerging"] + counts["critical"],
            "no_named_triage_owner": self.no_owner,
            "median_minutes_to_first_acknowledgment": median(acks) if acks else None,
            "median_minutes_to_triage": median(triages) if triages else None,
            "median_hours_to_first_acknowledgment": _hours(acks),
            "median_hours_to_triage": _hours(triages),
            "median_working_hours_to_first_acknowledgment": _working_median(self.working_acks),
            "median_working_hours_to_triage": _working_median(self.working_triages),
        }


async def acknowledgment_trends(
    session: AsyncSession, group: Grouping, start: date, end: date, cal: BusinessCalendar
) -> list[dict[str, Any]]:
    """One row per review date and group value in [start, end], oldest first (the items are
    read a few review dates at a time: memory holds those dates' items)."""
    clock = clock_for(cal)
    rows: list[dict[str, Any]] = []
    async for items in ack_items(session, start, end):
        buckets: dict[tuple[str, str], _Bucket] = defaultdict(_Bucket)
        for period, classification, fields in items:
            value = str(fields.get(group) or "unknown")
            buckets[(period, value)].add(classification, fields, clock)
        rows.extend(
            {"review_date": period, group: value, **bucket.figures()}
            for (period, value), bucket in sorted(buckets.items())
        )
    return rows
