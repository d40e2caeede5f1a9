"""The sections every pack ends with, and the listed cases as the CSV gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.packs import PackSpec
from domain.report import Doc, local_minute
from store.pack_common import Window, breach_section, breaches_in, example_cases, late_section
from store.tables import Case


def case_rows(cases: list[Case], zone: str) -> list[dict[str, Any]]:
    """The listed cases as the CSV beside the pack gives them."""
    return [
        {
            "case_id": c.case_id,
            "reference": c.reference,
            "service_line": c.service_line,
            "exposure": c.exposure,
            "stage": c.stage,
            "opened_at": local_minute(c.opened_at, zone),
        }
        for c in cases
    ]


async def common_tail(
    session: AsyncSession, spec: PackSpec, win: Window, now: datetime
) -> list[Doc]:
    """Breaches and late steps of the example's cases in the period."""
    ids = [c.case_id for c in await example_cases(session, spec.example, win.after)]
    return [
        breach_section(await breaches_in(session, ids, win), win, now),
        await late_section(session, ids, win),
    ]
