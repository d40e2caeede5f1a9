"""The case page's history says which published pack made the pathway visible, and who
published it (walk defect: it only said "Stage is now: Active recovery")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain import names
from store.db import transaction
from store.tables import Case, Pack
from tests.fixtures.api import ApiFactory
from tests.pack_seed import event
from tests.test_my_work import NOW, PATHWAY, seeded
from tests.web_support import sign_in, text


async def test_the_history_names_the_pack_that_made_the_pathway_visible(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await seeded(sqlite_url, sessions_for, api_for)
    published = NOW - timedelta(hours=3)
    async with transaction(api.app.state.sessions) as session:
        case = await session.get(Case, PATHWAY)
        assert case is not None
        case.stage = "active-recovery"
        case.detail = {"pathway_owner": "E-OWNER", "visible_in": ["weekly-sustainability/2026-W50"]}
        session.add(
            event(PATHWAY, published - timedelta(days=1), "stage", stage="awaiting-visibility")
        )
        session.add(event(PATHWAY, published, "stage", stage="active-recovery"))
        session.add(
            Pack(kind=names.PACK_WEEKLY, period="2026-W50", status="published",
                 generated_at=published, published_by="E-DIRECTOR", published_at=published,
                 case_ids=[PATHWAY], content={})
        )  # fmt: skip
    await sign_in(api, "E-DIRECTOR")
    page = text((await api.http.get(f"/app/cases/{PATHWAY}")).text)
    assert (
        "Made visible in the weekly workforce sustainability review pack 2026-W50, "
        "published by E-Director"
    ) in page
    assert "Stage is now: Active recovery" in page
    assert page.count("Made visible in") == 1  # not on the awaiting-visibility stage itself
