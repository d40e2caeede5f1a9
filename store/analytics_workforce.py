"""Workforce analytics over the feeds: speaking-up confidence and reporting rate per calendar
period and group (a falling reporting rate is how hesitancy shows)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import Period, PeriodKind, group_value, local_date, period_label, periods
from store.analytics import Grouping
from store.learning import between_prefilter
from store.source_fields import epoch_us
from store.sources import current_records
from store.staff import STAFF_FEED
from store.tables import SourceRecord

PLATFORM = "incident-platform"
CONFIDENCE = "speaking-up-confidence-form"
GOVERNANCE_REGISTER = "service-line-governance-register"

Dated = list[tuple[date, dict[str, Any]]]


def local_bounds(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) local, as UTC instants."""
    tz = ZoneInfo(zone)
    first = datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return first, after


async def dated_records(
    session: AsyncSession, feed: str, field: str, start: date, end: date, zone: str
) -> Dated:
    """Current records of ``feed`` whose ``field`` falls on a local date in [start, end]."""
    first, after = local_bounds(start, end, zone)
    near: ColumnElement[bool]
    if field == "submitted_at":  # its typed column (ingestion, migration 0005): an index range
        near = SourceRecord.submitted_at_us.between(
            epoch_us(first - timedelta(days=1)), epoch_us(after + timedelta(days=1))
        )
    else:
        near = between_prefilter(SourceRecord, field, first, after)
    contents = await session.scalars(
        select(SourceRecord.content).where(SourceRecord.feed == feed, near)
    )
    found: Dated = []
    for content in contents:
        day = local_date(content.get(field), zone)
        if day is not None and start <= day <= end:
            found.append((day, content))
    return found


def _by_period(
    records: Dated, kind: PeriodKind, group_of: Callable[[dict[str, Any]], str]
) -> tuple[dict[tuple[str, str], list[dict[str, Any]]], list[str]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for day, content in records:
        grouped[(period_label(day, kind), group_of(content))].append(content)
    return grouped, sorted({value for _, value in grouped})


def _frame(period: Period, group: Grouping, value: str) -> dict[str, Any]:
    return {"period": period.label, "first_day": period.first.isoformat(),
            "last_day": period.last.isoformat(), "days": period.days, group: value}  # fmt: skip


async def reporting_trends(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind, zone: str
) -> list[dict[str, Any]]:
    """Reports submitted per period and group; every group seen gets every period (zeros too)."""
    records = await dated_records(session, PLATFORM, "submitted_at", start, end, zone)
    lines: dict[str, dict[str, Any]] = {}
    if group == "manager_line":
        refs = [c["reference"] for _, c in records]
        lines = await current_records(session, GOVERNANCE_REGISTER, refs)

    def group_of(content: dict[str, Any]) -> str:
        source = lines.get(content["reference"], {}) if group == "manager_line" else content
        return group_value(source.get(group))

    grouped, values = _by_period(records, kind, group_of)
    rows = []
    for period in periods(start, end, kind):
        for value in values:
            reports = grouped.get((period.label, value), [])
            rows.append(
                {
                    **_frame(period, group, value),
                    "reports": len(reports),
                    "reporters": len({r["employee_id"] for r in reports}),
                    "reports_per_7_days": round(len(reports) * 7 / period.days, 2),
                }
            )
    return rows


async def confidence_trends(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind, zone: str
) -> list[dict[str, Any]]:
    """Speaking-up confidence responses and mean score per period and group."""
    records = await dated_records(session, CONFIDENCE, "submitted_at", start, end, zone)
    staff: dict[str, dict[str, Any]] = {}
    if group == "manager_line":
        staff = await current_records(session, STAFF_FEED, [c["employee_id"] for _, c in records])

    def group_of(content: dict[str, Any]) -> str:
        source = staff.get(content["employee_id"], {}) if group == "manager_line" else content
        return group_value(source.get(group))

    grouped, values = _by_period(records, kind, group_of)
    rows = []
    for period in periods(start, end, kind):
        for value in values:
            answers = grouped.get((period.label, value), [])
            scores = [int(a["score"]) for a in answers]
            rows.append(
                {
                    **_frame(period, group, value),
                    "responses": len(scores),
                    "respondents": len({a["employee_id"] for a in answers}),
                    "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
                    "low_scores": sum(s <= 2 for s in scores),
                }
            )
    return rows
