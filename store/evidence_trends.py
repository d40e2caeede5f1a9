"""The evidence pack's trends, read narrow: per month of the range, the reports submitted and the
speaking-up answers (their typed ``submitted_at_us`` and ``service_line``, and an answer's score),
not every record's whole document; and the leavers over the whole range only (the analytics API
also gives them per month: the pack shows the totals). The same figures as the analytics
functions it used (``store.analytics_workforce``, ``store.analytics_leavers``): the tests compare
them (tests/test_evidence_sql.py)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import Period, group_value, periods
from store.analytics_leavers import first_exposures, leaver_bucket, workers
from store.analytics_workforce import CONFIDENCE, PLATFORM, local_bounds
from store.source_fields import epoch_us
from store.tables import SourceRecord


async def monthly(
    session: AsyncSession, feed: str, start: date, end: date, zone: str, *values: Any
) -> tuple[list[str], list[tuple[str, str, tuple[Any, ...]]]]:
    """The range's month labels, and (month, service line group, values) of each current record
    of ``feed`` submitted on a local day in [start, end]."""
    months = periods(start, end, "month")
    starts = [epoch_us(local_bounds(p.first, p.first, zone)[0]) or 0 for p in months]
    first, after = (epoch_us(b) or 0 for b in local_bounds(start, end, zone))
    rows = await session.execute(
        select(SourceRecord.submitted_at_us, SourceRecord.service_line, *values).where(
            SourceRecord.feed == feed,
            SourceRecord.submitted_at_us >= first,
            SourceRecord.submitted_at_us < after,
        )
    )
    labels = [p.label for p in months]
    found = [
        (labels[bisect_right(starts, row[0]) - 1], group_value(row[1]), tuple(row[2:]))
        for row in rows
    ]
    return labels, found


def _seen(found: list[tuple[str, str, tuple[Any, ...]]], line: str | None) -> bool:
    """Whether the analytics rows of the line exist (every group seen gets every month)."""
    return bool(found) if line is None else any(g == line for _, g, _ in found)


async def month_figures(
    session: AsyncSession, start: date, end: date, zone: str, line: str | None
) -> tuple[list[str], dict[str, int], dict[str, float]]:
    """The months shown, reports per month and the mean speaking-up score per month (each
    service line's mean rounded to 2 places, then weighted by its answers, as the analytics
    rows give them), of the line or all lines."""
    labels, reports = await monthly(session, PLATFORM, start, end, zone)
    _, answers = await monthly(session, CONFIDENCE, start, end, zone, SourceRecord.content["score"])
    months = labels if _seen(reports, line) or _seen(answers, line) else []
    counted = dict.fromkeys(months, 0)
    for month, group, _ in reports:
        if line in (None, group):
            counted[month] += 1
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for month, group, (score,) in answers:
        if line in (None, group):
            scores[(month, group)].append(int(score))
    mean = {}
    for m in months:
        rows = [
            (round(sum(s) / len(s), 2), len(s)) for (k, _), s in sorted(scores.items()) if k == m
        ]
        mean[m] = round(sum(a * n for a, n in rows) / sum(n for _, n in rows), 2) if rows else 0.0
    return months, counted, mean


async def leaver_totals(
    session: AsyncSession, start: date, end: date, zone: str, line: str | None
) -> list[dict[str, Any]]:
    """Per service line (or the one line): workers exposed to weak response and not, and who of
    them left, over the whole range (``store.analytics_leavers.leaver_bucket``)."""
    exposure = await first_exposures(session, end, zone, staff_only=True)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in await workers(session):
        by_group[group_value(person.get("service_line"))].append(person)
    whole = Period(f"{start.isoformat()}/{end.isoformat()}", start, end)
    return [
        {"service_line": value, **leaver_bucket(people, exposure, whole)}
        for value, people in sorted(by_group.items())
        if line in (None, value)
    ]
