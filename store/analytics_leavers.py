"""Leavers among workers exposed to weak response against those not exposed, per period and
service line or manager line (the staff directory's leaving dates)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, bindparam, func, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import Period, PeriodKind, group_value, periods, rate
from domain.analytics_stats import wilson
from domain.names import EXAMPLE_ACKNOWLEDGMENT, EXAMPLE_CREDIBILITY
from domain.roles import Role
from store.analytics import Grouping
from store.item_fields import item_text
from store.review_visibility import SHOWN
from store.staff import STAFF_FEED
from store.tables import WEAK_ITEM, Review, ReviewItem, SourceRecord


async def first_exposures(
    session: AsyncSession, end: date, zone: str, staff_only: bool = False
) -> dict[str, date]:
    """Each worker's first weak response on or before ``end``: the date of the first example-1
    review classing a report of theirs emerging or critical, or the local closure date of a
    closure an example-3 review classed doubtful or failed (whichever is earlier). With
    ``staff_only``, of the staff directory's people only (what the leaver figures look up)."""
    query = _exposures(staff_only)  # built once: its closures' text expression is large
    connection = await session.connection()
    rows = (await connection.execute(query, {"end": end.isoformat()})).all()
    first = {eid: date.fromisoformat(day) for eid, kind, day in rows if kind != "closed" and eid}
    tz = ZoneInfo(zone)
    for eid, kind, closed_at in rows:
        if kind != "closed" or not eid or closed_at is None:
            continue
        moment = datetime.fromisoformat(closed_at)  # domain.analytics.local_date, inlined:
        if moment.tzinfo is None:  # a thousand closures and more (naive is UTC)
            moment = moment.replace(tzinfo=UTC)
        day = moment.astimezone(tz).date()
        if day <= end and (eid not in first or day < first[eid]):
            first[eid] = day
    return first


@lru_cache(maxsize=2)
def _exposures(staff_only: bool) -> Any:
    """``first_exposures``' statement (bound: ``end``, the last period)."""
    employee = ReviewItem.employee_id  # written beside ``fields``: no document read
    weak = text(WEAK_ITEM)  # the partial index's own predicate, so the planner can use it
    if staff_only:  # the directory's typed employee_id: one index range per person
        staff = select(SourceRecord.employee_id).where(SourceRecord.feed == STAFF_FEED)
        weak = weak & employee.in_(staff)
    # Both reads in one statement, Core rows fetched at once (no ORM result processing, no
    # fetch call per row): thousands
    acknowledged = (
        select(employee, literal("acknowledged").label("kind"), func.min(Review.period))
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_ACKNOWLEDGMENT,
            SHOWN,  # store.review_visibility's criterion, for a Core read
            weak,
            ReviewItem.classification.in_(("emerging", "critical")),
            Review.period <= bindparam("end", type_=String()),
        )
        .group_by(employee)
    )
    closures = (
        select(employee, literal("closed").label("kind"), item_text(ReviewItem, "closed_at"))
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(
            Review.example == EXAMPLE_CREDIBILITY,
            SHOWN,
            weak,
            ReviewItem.classification.in_(("doubtful", "failed")),
        )
    )
    return union_all(acknowledged, closures)


async def workers(session: AsyncSession) -> list[dict[str, Any]]:
    """Staff-directory workers with a known status: active, or with a leaving date."""
    connection = await session.connection()  # Core rows, fetched at once
    contents = (
        await connection.execute(
            select(SourceRecord.content).where(SourceRecord.feed == STAFF_FEED)
        )
    ).scalars()
    worker = Role.WORKER.value
    return [
        c
        for c in contents.all()
        if worker in c.get("roles", []) and (c.get("active") or c.get("left_at"))
    ]


def leaver_bucket(
    people: list[dict[str, Any]], exposure: dict[str, date], period: Period
) -> dict[str, Any]:
    """Exposed and not-exposed workers in post at the period's start, and who of them left."""
    counts = {"exposed": [0, 0], "not_exposed": [0, 0]}
    for person in people:
        left = date.fromisoformat(person["left_at"]) if person.get("left_at") else None
        started = date.fromisoformat(person["started_at"]) if person.get("started_at") else None
        if (left is not None and left < period.first) or (started and started > period.first):
            continue  # employed at the period's start only (no start date: counted)
        seen = exposure.get(person["employee_id"])
        cutoff = min(period.last, left) if left is not None else period.last
        tally = counts["exposed" if seen is not None and seen <= cutoff else "not_exposed"]
        tally[0] += 1
        tally[1] += left is not None and left <= period.last
    return {
        "exposed_workers": counts["exposed"][0],
        "exposed_leavers": counts["exposed"][1],
        "exposed_leaver_rate": rate(counts["exposed"][1], counts["exposed"][0]),
        "exposed_leaver_rate_ci95": wilson(counts["exposed"][1], counts["exposed"][0]),
        "not_exposed_workers": counts["not_exposed"][0],
        "not_exposed_leavers": counts["not_exposed"][1],
        "not_exposed_leaver_rate": rate(counts["not_exposed"][1], counts["not_exposed"][0]),
        "not_exposed_leaver_rate_ci95": wilson(counts["not_exposed"][1], counts["not_exposed"][0]),
    }


async def leaver_trends(
    session: AsyncSession, group: Grouping, start: date, end: date, kind: PeriodKind, zone: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows per period and group, and one row per group over the whole range [start, end]."""
    exposure = await first_exposures(session, end, zone)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in await workers(session):
        by_group[group_value(person.get(group))].append(person)
    whole = Period(f"{start.isoformat()}/{end.isoformat()}", start, end)
    rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    for period in [*periods(start, end, kind), whole]:
        for value, people in sorted(by_group.items()):
            row = {
                "period": period.label,
                "first_day": period.first.isoformat(),
                "last_day": period.last.isoformat(),
                group: value,
                **leaver_bucket(people, exposure, period),
            }
            (totals if period is whole else rows).append(row)
    return rows, totals
