"""Retention analytics over the stored example-1 reviews: how acknowledgment and triage exposure
develops per service line, manager line or risk domain, review by review (falling report counts
with steady activity are how reporting hesitancy shows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, Literal

from sqlalchemy import and_, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from domain.calendar import BusinessCalendar
from store.analytics_values import DATES_PER_BATCH, VALUES, ensure_values, in_range
from store.tables import Review

Grouping = Literal["service_line", "manager_line", "risk_domain"]
OUTCOMES = ("within_tolerance", "emerging", "critical")


def _hours(minutes: list[int]) -> float | None:
    return round(median(minutes) / 60, 2) if minutes else None


def _working_median(known: list[float]) -> float | None:
    return round(median(known), 2) if known else None


def _numbers(listed: Any) -> list[int]:
    """An aggregated list: PostgreSQL's array, SQLite's comma-separated text, None for none."""
    if listed is None:
        return []
    if isinstance(listed, str):
        return [int(n) for n in listed.split(",")]
    return list(listed)


def _listed(dialect: str, column: Any, where: Any) -> Any:
    if dialect == "postgresql":  # (the driver's list as it comes: no processing per element)
        return type_coerce(func.array_agg(column).filter(where), NullType())
    return func.group_concat(column).filter(where)


def _figures(reports: int, counts: dict[str, int], no_owner: int, *lists: Any) -> dict[str, Any]:
    """One review date and group's row from its counts (per classification: ``counts``) and
    the lists of its classified reports' minutes and known working microseconds to first
    acknowledgment and to triage (the review's as-of instant stands in for a missing one)."""
    acks, triages, *working = (_numbers(x) for x in lists)
    working_acks, working_triages = ([(us / 1_000_000) / 3600 for us in w] for w in working)
    return {
        "reports": reports,
        **counts,
        "exceptions": reports - sum(counts.values()),
        "threshold_breaches": counts["emerging"] + counts["critical"],
        "no_named_triage_owner": no_owner,
        "median_minutes_to_first_acknowledgment": median(acks) if acks else None,
        "median_minutes_to_triage": median(triages) if triages else None,
        "median_hours_to_first_acknowledgment": _hours(acks),
        "median_hours_to_triage": _hours(triages),
        "median_working_hours_to_first_acknowledgment": _working_median(working_acks),
        "median_working_hours_to_triage": _working_median(working_triages),
    }


def _statement(dialect: str, group: Grouping, first: date, last: date) -> Any:
    """Per review date and group value: the reports, the classified, each outcome's, those
    classified without a named triage owner, and the lists the medians are taken of."""
    v = VALUES.c
    classified, timed = v.classification.is_not(None), v.working_ack_us.is_not(None)
    return (
        select(
            v.period,
            v[group],
            func.count(),
            func.count(v.classification),
            *(func.count().filter(v.classification == outcome) for outcome in OUTCOMES),
            func.count().filter(and_(classified, v.no_owner)),
            _listed(dialect, v.ack_min, classified),
            _listed(dialect, v.triage_min, classified),
            _listed(dialect, v.working_ack_us, and_(classified, timed)),
            _listed(dialect, v.working_triage_us, and_(classified, timed)),
        )
        .where(in_range(first, last))
        .group_by(v.period, v[group])
    )


async def _other_outcomes(
    connection: Any, group: Grouping, first: date, last: date
) -> dict[tuple[str, str], dict[str, int]]:
    """Counts of classifications other than ``OUTCOMES`` per review date and group (none in
    practice: the rows count them as the item-by-item figures did)."""
    v = VALUES.c
    found = await connection.execute(
        select(v.period, v[group], v.classification, func.count())
        .where(in_range(first, last), v.classification.not_in(OUTCOMES))
        .group_by(v.period, v[group], v.classification)
    )
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for period, value, classification, n in found:
        out[(period, value)][classification] = n
    return out


async def acknowledgment_trends(
    session: AsyncSession, group: Grouping, start: date, end: date, cal: BusinessCalendar
) -> list[dict[str, Any]]:
    """One row per review date and group value in [start, end], oldest first. Aggregated in
    SQL over the items' values (``store.analytics_values``), a month of review dates per
    statement: memory holds that month's lists of minutes, not its items."""
    await ensure_values(session, start, end, cal)
    connection = await session.connection()
    rows: list[dict[str, Any]] = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=DATES_PER_BATCH - 1))
        found = await connection.execute(_statement(connection.dialect.name, group, first, last))
        batch = []
        others: dict[tuple[str, str], dict[str, int]] | None = None
        for period, value, reports, classified, *counted, no_owner, ack, tri, wack, wtri in found:
            counts = dict(zip(OUTCOMES, counted, strict=True))
            if classified != sum(counted):
                others = others or await _other_outcomes(connection, group, first, last)
                counts |= others[(period, value)]
            figures = _figures(reports, counts, no_owner, ack, tri, wack, wtri)
            batch.append({"review_date": period, group: value, **figures})
        rows.extend(sorted(batch, key=lambda r: (r["review_date"], r[group])))
        first = last + timedelta(days=1)
    return rows


async def review_instants(session: AsyncSession, review_ids: set[str]) -> dict[str, datetime]:
    """Each of those reviews' as-of instant, by review id (for a page's local time)."""
    if not review_ids:
        return {}
    query = select(Review.review_id, Review.as_of).where(Review.review_id.in_(sorted(review_ids)))
    return {str(rid): at for rid, at in (await session.execute(query)).all()}
