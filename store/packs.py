"""Pack rows: generated content, publication, and the data packs render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import false, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.cases import PackSummary
from domain.packs import PackSpec
from store.tables import Breach, Case, Pack


async def get_pack(session: AsyncSession, kind: str, period: str) -> Pack | None:
    return await session.get(Pack, (kind, period))


async def _content(session: AsyncSession, spec: PackSpec, case_ids: list[str]) -> dict[str, Any]:
    """The pack's body: the listed cases with stage, exposure and breaches; totals by stage."""
    cases = (
        await session.scalars(
            select(Case).where(Case.example == spec.example).order_by(Case.case_id)
        )
    ).all()
    listed = [c for c in cases if c.case_id in set(case_ids)]
    breaches = (
        await session.scalars(
            select(Breach).where(Breach.case_id.in_(case_ids))
            if case_ids
            else select(Breach).where(false())
        )
    ).all()
    by_stage: dict[str, int] = {}
    for case in cases:
        by_stage[case.stage] = by_stage.get(case.stage, 0) + 1
    return {
        "title": spec.title,
        "cases": [
            {
                "case_id": c.case_id,
                "reference": c.reference,
                "service_line": c.service_line,
                "exposure": c.exposure,
                "stage": c.stage,
                "opened_at": c.opened_at.isoformat(),
                "breaches": sum(1 for b in breaches if b.case_id == c.case_id),
            }
            for c in listed
        ],
        "totals_by_stage": by_stage,
    }


async def create_pack(
    session: AsyncSession, spec: PackSpec, period: str, case_ids: list[str], at: datetime
) -> Pack:
    pack = Pack(
        kind=spec.kind,
        period=period,
        status="generated",
        generated_at=at,
        case_ids=case_ids,
        content=await _content(session, spec, case_ids),
    )
    session.add(pack)
    await session.flush()
    return pack


async def publish(
    session: AsyncSession, spec: PackSpec, pack: Pack, case_ids: list[str], actor: str, at: datetime
) -> None:
    pack.case_ids = case_ids
    pack.content = await _content(session, spec, case_ids)
    pack.status = "published"
    pack.published_by = actor
    pack.published_at = at
    await session.flush()


def summary(pack: Pack) -> PackSummary:
    return PackSummary(
        kind=pack.kind,
        period=pack.period,
        case_ids=list(pack.case_ids),
        published_by=pack.published_by,
        published_at=pack.published_at,
    )
