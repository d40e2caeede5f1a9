"""Two projections of the same case written at once on PostgreSQL (the case workflow's later
projections run one at a time, but an activity retry can overlap its first attempt): both
replace the case's ``case_open_obligations`` rows with the same open obligation. Without a lock
the second one's DELETE does not see the first's uncommitted rows, and its INSERT collides on
(case_id, key) once the first commits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from domain.cases import ProjectionUpdate
from store.cases import upsert_projection
from store.tables import OpenObligation

AT = datetime(2026, 12, 7, 9, tzinfo=UTC)
CASE = "ack-case-NM-RACE-1"


def _projection(at: datetime, stage: str) -> ProjectionUpdate:
    due = (AT + timedelta(days=1)).isoformat()
    open_now = [{"key": "retention-impact", "title": "Retention impact analysis",
                 "role": "workforce_retention_safety_culture_manager", "assignee": None,
                 "deadline": due}]  # fmt: skip
    return ProjectionUpdate(
        case_id=CASE, example="acknowledgment", reference="NM-RACE-1", review_id="ack-review-x",
        service_line="HC-NORTH", exposure="critical", stage=stage, status="open",
        assigned_role=None, assignee=None, deadline=None, escalation_level=0, opened_at=AT,
        at=at, detail={"open": open_now},
    )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.parametrize("case_exists", [True, False], ids=["later-projection", "first-projection"])
async def test_two_projections_of_a_case_at_once_do_not_collide(
    postgres_url: str, sessions_for: Any, case_exists: bool
) -> None:
    sessions = sessions_for(postgres_url)
    if case_exists:
        async with sessions() as s, s.begin():
            first = _projection(AT, "triage-attribution")
            await upsert_projection(s, first.model_copy(update={"detail": {}}))
    later = AT + timedelta(minutes=5)
    async with sessions() as one:
        await one.begin()
        await upsert_projection(one, _projection(later, "retention-impact"))  # not committed yet

        async def other() -> None:
            async with sessions() as two, two.begin():
                await upsert_projection(two, _projection(later, "retention-impact"))

        second = asyncio.create_task(other())
        await asyncio.sleep(0.5)  # the second is now waiting on the first's transaction
        assert not second.done()
        await one.commit()
    await asyncio.wait_for(second, 10)  # used to raise IntegrityError (duplicate key)
    async with sessions() as s:
        rows = (await s.scalars(select(OpenObligation).where(OpenObligation.case_id == CASE))).all()
    assert [(r.key, r.title) for r in rows] == [("retention-impact", "Retention impact analysis")]
