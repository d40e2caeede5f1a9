"""The case projection: one write carries the events since the last one, each stored once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.cases import KeyedEvent, ProjectionUpdate, TimelineEvent
from store.cases import upsert_projection
from store.db import transaction
from store.tables import Case, CaseEvent, OpenObligation

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CASE = "ack-case-NM-P1"


def projection(stage: str, at: datetime, **extra: object) -> ProjectionUpdate:
    return ProjectionUpdate(
        case_id=CASE,
        example="acknowledgment",
        reference="NM-P1",
        review_id="ack-review-2026-11-26",
        service_line="HC-NORTH",
        exposure="critical",
        stage=stage,
        status="open",
        assigned_role="near_miss_governance_supervisor",
        assignee=None,
        deadline=at + timedelta(hours=8),
        escalation_level=0,
        opened_at=AT,
        at=at,
        **extra,
    )


def event(kind: str, at: datetime, **detail: object) -> TimelineEvent:
    return TimelineEvent(at=at, kind=kind, actor="system", detail=detail)


async def timeline(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == CASE).order_by(CaseEvent.id)
        )
        return [(row.kind, row.dedupe_key) for row in rows]


async def test_a_step_opening_writes_its_obligation_and_stage_in_order_once(sessions) -> None:
    opened = event("obligation_opened", AT, obligation="triage-attribution")
    staged = event("stage", AT, stage="triage-attribution")
    update = projection(
        "triage-attribution",
        AT,
        earlier_events=[KeyedEvent(key=f"{CASE}:1:obligation_opened", event=opened)],
        event=staged,
        event_key=f"{CASE}:2:stage",
    )
    for _ in range(2):  # the activity retried after a lost answer changes nothing
        async with transaction(sessions) as session:
            await upsert_projection(session, update)
    assert await timeline(sessions) == [
        ("obligation_opened", f"{CASE}:1:obligation_opened"),
        ("stage", f"{CASE}:2:stage"),
    ]
    async with sessions() as session:
        case = await session.get(Case, CASE)
    assert case is not None and case.stage == "triage-attribution"


async def test_a_retry_carrying_a_stored_event_adds_only_the_new_one(sessions) -> None:
    first = projection(
        "triage-attribution",
        AT,
        event=event("stage", AT, stage="triage-attribution"),
        event_key=f"{CASE}:1:stage",
    )
    later = AT + timedelta(minutes=5)
    second = projection(
        "retention-impact",
        later,
        earlier_events=[
            KeyedEvent(key=f"{CASE}:1:stage", event=first.event),  # type: ignore[arg-type]
            KeyedEvent(key=f"{CASE}:2:obligation_opened", event=event("obligation_opened", later)),
        ],
        event=event("stage", later, stage="retention-impact"),
        event_key=f"{CASE}:3:stage",
    )
    async with transaction(sessions) as session:
        await upsert_projection(session, first)
    async with transaction(sessions) as session:
        await upsert_projection(session, second)
    assert [key for _, key in await timeline(sessions)] == [
        f"{CASE}:1:stage",
        f"{CASE}:2:obligation_opened",
        f"{CASE}:3:stage",
    ]


async def test_open_obligations_carry_the_cases_shown_columns_as_they_change(sessions) -> None:
    """My work reads ``case_open_obligations`` alone: each row has its case's columns, kept
    current by every projection (a new case's insert, then a change of exposure and status)."""
    due = (AT + timedelta(hours=8)).isoformat()
    item = {"key": "step:triage", "title": "Triage", "role": "x", "assignee": None, "deadline": due}
    detail = {"open": [item]}

    async def owed() -> list[tuple[object, ...]]:
        async with sessions() as session:
            rows = await session.scalars(select(OpenObligation))
            return [
                (o.case_id, o.key, o.case_status, o.example, o.reference, o.exposure,
                 o.service_line)
                for o in rows
            ]  # fmt: skip

    async with transaction(sessions) as session:
        await upsert_projection(session, projection("triage-attribution", AT, detail=detail))
    assert await owed() == [
        (CASE, "step:triage", "open", "acknowledgment", "NM-P1", "critical", "HC-NORTH")
    ]
    later = projection("triage-attribution", AT + timedelta(hours=1), detail=detail)
    later = later.model_copy(update={"status": "closed", "exposure": "high"})
    async with transaction(sessions) as session:
        await upsert_projection(session, later)
    assert await owed() == [
        (CASE, "step:triage", "closed", "acknowledgment", "NM-P1", "high", "HC-NORTH")
    ]
