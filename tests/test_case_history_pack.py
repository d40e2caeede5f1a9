"""The case page's history says which published pack made the pathway visible, and who
published it (walk defect: it only said "Stage is now: Active recovery"). Publishing records a
``made_visible`` event on each listed case; the page renders that event (it used to work the
line out from the case's ``visible_in`` and the pack row each time the page was shown)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from domain import names
from domain.calendar import calendar_for
from domain.packs import PACKS
from store.db import transaction
from store.packs import create_pack, publish
from store.tables import Case, CaseEvent
from tests.fixtures.api import ApiFactory
from tests.my_work_support import NOW, PATHWAY, seeded
from tests.stored_rows import event
from tests.web_support import sign_in, text


async def test_the_history_names_the_pack_that_made_the_pathway_visible(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await seeded(sqlite_url, sessions_for, api_for)
    published = NOW - timedelta(hours=3)
    settings = api.app.state.settings
    calendar, anchor = calendar_for(settings.calendar_config()), date(2026, 1, 5)
    spec = PACKS[names.PACK_WEEKLY]
    async with transaction(api.app.state.sessions) as session:
        session.add(
            event(PATHWAY, published - timedelta(days=1), "stage", stage="awaiting-visibility")
        )
        pack = await create_pack(session, spec, "2026-W50", [], published, calendar, anchor)
        await publish(session, spec, pack, [PATHWAY], "E-DIRECTOR", published, calendar, anchor)
    async with transaction(api.app.state.sessions) as session:
        made = (
            await session.scalars(select(CaseEvent).where(CaseEvent.kind == "made_visible"))
        ).all()
        assert [(e.case_id, e.actor, e.at) for e in made] == [(PATHWAY, "E-DIRECTOR", published)]
        # What the case workflow does on the pack's signal; the case row no longer says which pack.
        case = await session.get(Case, PATHWAY)
        assert case is not None
        case.stage = "active-recovery"
        case.detail = {"pathway_owner": "E-OWNER"}
        session.add(event(PATHWAY, published, "stage", stage="active-recovery"))
    await sign_in(api, "E-DIRECTOR")
    page = text((await api.http.get(f"/app/cases/{PATHWAY}")).text)
    assert (
        "Made visible in the weekly workforce sustainability review pack, week of Mon 7 Dec 2026, "
        "published by E-Director"
    ) in page
    assert "Now in active recovery: the pathway's actions are under way." in page
    assert page.count("Made visible in") == 1
    assert page.index("Made visible in") < page.index("Now in active recovery")
