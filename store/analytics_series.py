"""Retention analytics over time: per ISO week or month and group, the reporting rate per head
with the hesitancy flag, time to first acknowledgment and to a named triage owner (hours and
working hours), leavers exposed to weak response against not (Wilson 95% intervals), and the
outcome measures of ``store.analytics_outcomes`` (confidence, learning, closure credibility)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from statistics import median
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import Period, PeriodKind, group_value, periods, rate
from domain.analytics_stats import HESITANCY_HISTORY, hesitancy
from domain.calendar import BusinessCalendar
from domain.instants import instant
from domain.working_clock import clock_for
from store.analytics import Grouping
from store.analytics_leavers import first_exposures, leaver_bucket, workers
from store.analytics_outcomes import EMPTY, outcome_measures
from store.analytics_workforce import PLATFORM, dated_records
from store.sources import current_records

TRACKER = "manager-response-tracker"
GOVERNANCE_REGISTER = "service-line-governance-register"


def _hours(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def durations(
    reports: list[dict[str, Any]], stamps: dict[str, str | None], cal: BusinessCalendar
) -> dict[str, Any]:
    """Median hours and working hours from submission to each report's stamp (if any)."""
    plain, working, n = [], [], 0
    for r in reports:
        start, end = instant(r.get("submitted_at")), instant(stamps.get(r["reference"]))
        if start is None or end is None or end < start:
            continue
        n += 1
        plain.append((end - start).total_seconds() / 3600)
        working.append(clock_for(cal).hours(start, end))
    return {"n": n, "median_hours": _hours(plain), "median_working_hours": _hours(working)}


def employed(people: list[dict[str, Any]], day: date) -> int:
    """Workers in post on ``day`` (started on or before it, not left before it)."""
    count = 0
    for p in people:
        started, left = p.get("started_at"), p.get("left_at")
        if (started and date.fromisoformat(started) > day) or (
            left and date.fromisoformat(left) < day
        ):
            continue
        count += 1
    return count


def share(period: Period, kind: PeriodKind) -> float:
    """The part of its whole week or month a period (starting on the week's or month's first
    day) covers: less than 1 when the range ends inside it, as in the current week."""
    if kind == "week":
        return period.days / 7
    following = (period.first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return period.days / (following - period.first).days


def history_start(start: date, kind: PeriodKind) -> date:
    """The first day of the sixth whole period before ``start``'s (the hesitancy history)."""
    if kind == "week":
        return start - timedelta(days=start.weekday() + 7 * HESITANCY_HISTORY)
    months = start.year * 12 + start.month - 1 - HESITANCY_HISTORY
    return date(months // 12, months % 12 + 1, 1)


async def series(
    session: AsyncSession,
    group: Grouping,
    start: date,
    end: date,
    kind: PeriodKind,
    cal: BusinessCalendar,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per period in [start, end] and group value, oldest first; and one per period
    over every group together (reports and the medians over all of them: a median of the
    groups' medians is not the median)."""
    zone = cal.config.timezone
    first = history_start(start, kind)
    records = await dated_records(session, PLATFORM, "submitted_at", first, end, zone)
    refs = [c["reference"] for _, c in records]
    tracker = await current_records(session, TRACKER, refs)
    lines = (
        await current_records(session, GOVERNANCE_REGISTER, refs) if group == "manager_line" else {}
    )
    owners = {ref: row.get("triage_owner_assigned_at") for ref, row in tracker.items()}
    acks = {c["reference"]: c.get("first_acknowledged_at") for _, c in records}
    staff = await workers(session)
    exposure = await first_exposures(session, end, zone)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in staff:
        by_group[
            group_value(person.get(group if group != "risk_domain" else "service_line"))
        ].append(person)

    def group_of(content: dict[str, Any]) -> str:
        source = lines.get(content["reference"], {}) if group == "manager_line" else content
        return group_value(source.get(group))

    grouped: dict[tuple[date, str], list[dict[str, Any]]] = defaultdict(list)
    all_periods = periods(first, end, kind)
    for day, content in records:
        period = next(p for p in all_periods if p.first <= day <= p.last)
        grouped[(period.first, group_of(content))].append(content)
    shown = next(p.first for p in all_periods if p.last >= start)
    outcomes, seen = await outcome_measures(session, group, shown, end, kind, zone)
    values = sorted(
        {g for _, g in grouped} | seen | (set(by_group) if group != "risk_domain" else set())
    )
    rows: list[dict[str, Any]] = []
    for value in values:
        history: list[tuple[int, int]] = []
        for period in all_periods:
            reports = grouped.get((period.first, value), [])
            heads = employed(by_group.get(value, []), period.first) if group != "risk_domain" else 0
            if period.last >= start:
                row = _row(
                    period,
                    group,
                    value,
                    reports,
                    heads,
                    history,
                    acks,
                    owners,
                    cal,
                    by_group.get(value, []),
                    exposure,
                    kind,
                )
                rows.append({**row, **outcomes.get((period.label, value), EMPTY)})
            history.append((len(reports), heads))
    totals = []
    for period in all_periods:
        if period.last >= start:
            reports = [c for (first, _), cs in grouped.items() if first == period.first for c in cs]
            totals.append(
                {
                    "period": period.label,
                    "reports": len(reports),
                    "to_first_acknowledgment": durations(reports, acks, cal),
                    "to_named_triage_owner": durations(reports, owners, cal),
                }
            )
    return sorted(rows, key=lambda r: (r["period"], r[group])), totals


def _row(
    period: Period,
    group: Grouping,
    value: str,
    reports: list[dict[str, Any]],
    heads: int,
    history: list[tuple[int, int]],
    acks: dict[str, Any],
    owners: dict[str, Any],
    cal: BusinessCalendar,
    people: list[dict[str, Any]],
    exposure: dict[str, date],
    kind: PeriodKind,
) -> dict[str, Any]:
    expected, lower, flagged = hesitancy(len(reports), heads, history, share(period, kind))
    leavers = leaver_bucket(people, exposure, period) if group != "risk_domain" else {}
    return {
        "period": period.label,
        "first_day": period.first.isoformat(),
        "last_day": period.last.isoformat(),
        group: value,
        "reports": len(reports),
        "heads": heads,
        "reports_per_head": rate(len(reports), heads),
        "expected_reports": expected,
        "hesitancy_lower_bound": lower,
        "hesitancy": flagged,
        "to_first_acknowledgment": durations(reports, acks, cal),
        "to_named_triage_owner": durations(reports, owners, cal),
        **leavers,
    }
