"""The evidence pack on the seeded set (tests/pack_seed.py): the app with the evidence clock, a
pack read, and a section's blocks and figures."""

from __future__ import annotations

from typing import Any

from tests.factories import load, staff_rows
from tests.pack_seed import seed_learning_closure, seed_weekly
from tests.pack_support import RANGE, evidence_clock


def blocks(sec: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in sec["blocks"] if b["type"] == kind]


def figs(sec: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return dict(blocks(sec, "figures")[index]["items"])


async def seeded(database_url: str, sessions: Any, api_for: Any) -> Any:
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await seed_learning_closure(session)
    api = await api_for(database_url)
    api.app.state.clock = evidence_clock
    return api


async def get(api: Any, who: str = "E-INSPECTOR", **params: str) -> Any:
    response = await api.get("/evidence", who, params={**RANGE, **params})
    assert response.status_code == 200, response.text
    return response
