"""The evidence pack's trends, read narrow: per month of the range, the reports submitted and the
speaking-up answers (their typed ``submitted_at_us`` and ``service_line``, and an answer's score),
not every record's whole document; and the leavers over the whole range only (the analytics API
also gives them per month: the pack shows the totals). The same figures as the analytics
functions it used (``store.analytics_workforce``, ``store.analytics_leavers``): the tests compare
them (tests/test_evidence_sql.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import Period, group_value, periods
from store.analytics_leavers import first_exposures, leaver_bucket, workers
from store.analytics_workforce import CONFIDENCE, PLATFORM, local_bounds
from store.source_fields import epoch_us
from store.tables import SourceRecord

Counted = list[tuple[str, str, int, int]]  # (month, service line group, records, score total)


async def monthly(
    session: AsyncSession, feed: str, start: date, end: date, zone: str, score: Any = None
) -> tuple[list[str], Counted]:
    """The range's month labels, and per month and service line group (``group_value``), how
    many current records of ``feed`` were submitted on a local day in [start, end] and the sum
    of their ``score`` (if given): counted by the database, not a row per record sent back."""
    months = periods(start, end, "month")
    starts = [epoch_us(local_bounds(p.first, p.first, zone)[0]) or 0 for p in months]
    first, after = (epoch_us(b) or 0 for b in local_bounds(start, end, zone))
    submitted = SourceRecord.submitted_at_us
    # the month a record falls in: the last that starts on or before it (-1: before the first)
    month = case(*((submitted >= at, n) for n, at in reversed(list(enumerate(starts)))), else_=-1)
    line = SourceRecord.service_line
    group = case((func.coalesce(line, "") == "", "unknown"), else_=line)
    each = (
        select(
            month.label("month"),
            group.label("line"),
            (literal(0) if score is None else score).label("score"),
        )
        .where(SourceRecord.feed == feed, submitted >= first, submitted < after)
        .subquery()
    )  # grouped outside: PostgreSQL sees the CASEs' bound parameters as other expressions
    query = select(each.c.month, each.c.line, func.count(), func.sum(each.c.score))
    query = query.group_by(each.c.month, each.c.line)
    connection = await session.connection()  # Core rows: no ORM result processing per row
    labels = [p.label for p in months]
    found = [(labels[n], g, int(k), int(t or 0)) for n, g, k, t in await connection.execute(query)]
    return labels, found


def _seen(found: Counted, line: str | None) -> bool:
    """Whether the analytics rows of the line exist (every group seen gets every month)."""
    return bool(found) if line is None else any(g == line for _, g, _, _ in found)


async def month_figures(
    session: AsyncSession, start: date, end: date, zone: str, line: str | None
) -> tuple[list[str], dict[str, int], dict[str, float]]:
    """The months shown, reports per month and the mean speaking-up score per month (each
    service line's mean rounded to 2 places, then weighted by its answers, as the analytics
    rows give them), of the line or all lines."""
    labels, reports = await monthly(session, PLATFORM, start, end, zone)
    score = SourceRecord.content["score"].as_integer()  # validated: an integer from 1 to 5
    _, answers = await monthly(session, CONFIDENCE, start, end, zone, score)
    months = labels if _seen(reports, line) or _seen(answers, line) else []
    counted = dict.fromkeys(months, 0)
    for month, group, n, _ in reports:
        if line in (None, group):
            counted[month] += n
    scores: dict[tuple[str, str], tuple[int, int]] = {}
    for month, group, n, total in answers:
        if line in (None, group):
            scores[(month, group)] = (n, total)
    mean = {}
    for m in months:
        rows = [(round(t / n, 2), n) for (k, _), (n, t) in sorted(scores.items()) if k == m]
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
