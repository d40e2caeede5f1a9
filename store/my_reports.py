"""What the service knows about one reporting worker's own reports (for "my reports").

Read only: the worker's incident reports, the learning and corrective actions named for them,
when each report's triage owner was named (the manager response tracker),
the cases opened about them with their timelines (their closures and answers:
``store.worker_closures``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.sources import current_records
from store.tables import Case, CaseEvent, SourceRecord

MAX_REPORTS = 200
Row = dict[str, Any]


@dataclass
class ReporterData:
    """Raw rows about one worker's reports, keyed for the page to tell each report's story."""

    reports: list[Row] = field(default_factory=list)
    bulletins: dict[str, Row] = field(default_factory=dict)
    # the manager response tracker's rows: when the triage owner was named (no one's name shown)
    trackers: dict[str, Row] = field(default_factory=dict)
    actions: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    cases: dict[str, list[Case]] = field(default_factory=lambda: defaultdict(list))
    events: dict[str, list[CaseEvent]] = field(default_factory=lambda: defaultdict(list))


async def _own_rows(session: AsyncSession, feed: str, employee_id: str) -> list[Row]:
    rows = await session.scalars(
        select(SourceRecord.content).where(
            SourceRecord.feed == feed,
            SourceRecord.content["employee_id"].as_string() == employee_id,
        )
    )
    return list(rows)


async def _actions(session: AsyncSession, refs: list[str]) -> list[Row]:
    if not refs:
        return []
    rows = await session.scalars(
        select(SourceRecord.content).where(
            SourceRecord.feed == "corrective-action-tracker",
            SourceRecord.content["reference"].as_string().in_(refs),
        )
    )
    return list(rows)


async def _cases(session: AsyncSession, employee_id: str) -> tuple[list[Case], list[CaseEvent]]:
    cases = list(await session.scalars(select(Case).where(Case.employee_id == employee_id)))
    if not cases:
        return [], []
    events = await session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_([c.case_id for c in cases]))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    return cases, list(events)


async def reporter_data(session: AsyncSession, employee_id: str) -> ReporterData:
    """Everything "my reports" shows for ``employee_id`` (their newest MAX_REPORTS reports)."""
    data = ReporterData()
    reports = await _own_rows(session, "incident-platform", employee_id)
    reports.sort(key=lambda r: str(r.get("submitted_at", "")), reverse=True)
    data.reports = reports[:MAX_REPORTS]
    refs = [str(r["reference"]) for r in data.reports]
    data.bulletins = await current_records(session, "learning-bulletin-log", refs)
    data.trackers = await current_records(session, "manager-response-tracker", refs)
    for action in await _actions(session, refs):
        data.actions[str(action["reference"])].append(action)
    cases, events = await _cases(session, employee_id)
    for case in cases:
        data.cases[case.reference].append(case)
    for event in events:
        data.events[event.case_id].append(event)
    return data
