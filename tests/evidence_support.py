"""The evidence pack on the seeded set (tests/pack_seed.py): the app with the evidence clock, a
pack read, and a section's blocks and figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from store.db import transaction
from store.register_checks import recorded, verify_in_full
from store.register_verify import ChainVerification
from store.tables import RegisterHead
from tests.factories import load, staff_rows
from tests.pack_seed import seed_learning_closure, seed_weekly
from tests.pack_support import EVIDENCE_NOW, RANGE, evidence_clock


def blocks(sec: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in sec["blocks"] if b["type"] == kind]


def figs(sec: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return dict(blocks(sec, "figures")[index]["items"])


async def seeded(database_url: str, sessions: Any, api_for: Any, **options: Any) -> Any:
    await load(sessions, "staff-directory", staff_rows())
    async with sessions() as session, session.begin():
        await seed_weekly(session)
        await seed_learning_closure(session)
    api = await api_for(database_url, **options)
    api.app.state.clock = evidence_clock
    return api


async def get(api: Any, who: str = "E-INSPECTOR", **params: str) -> Any:
    response = await api.get("/evidence", who, params={**RANGE, **params})
    assert response.status_code == 200, response.text
    return response


async def verified_in_full(sessions: Any, *only: str) -> dict[str, ChainVerification]:
    """What a full verification workflow's activity does (``store.register_checks.verify_in_full``
    and its record), for the registers named or every one, at the evidence clock's time."""
    async with sessions() as session:
        registers = only or tuple(await session.scalars(select(RegisterHead.register)))
    found = {}
    for register in registers:
        async with transaction(sessions) as session:
            before = (await recorded(session)).get(register)
            found[register] = await verify_in_full(
                session, register, at=EVIDENCE_NOW, before=before
            )
    return found
