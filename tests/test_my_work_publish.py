"""My work tells a pack's publisher to publish it while accepted pathways wait for it (walk
defect: the director saw "Nothing is waiting for you" while cases awaited visibility)."""

from __future__ import annotations

from typing import Any

from store.db import transaction
from store.tables import Case
from tests.fixtures.api import ApiFactory
from tests.my_work_support import PATHWAY, seeded
from tests.web_support import sign_in


async def test_the_publisher_is_asked_to_publish_the_pack_cases_wait_for(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    api = await seeded(sqlite_url, sessions_for, api_for)  # "now" is Wed 9 Dec 2026 (2026-W50)
    await sign_in(api, "E-DIRECTOR")
    assert "Publish the" not in (await api.http.get("/app")).text  # nothing waits yet
    async with transaction(api.app.state.sessions) as session:
        case = await session.get(Case, PATHWAY)
        assert case is not None
        case.stage = "awaiting-visibility"
    page = (await api.http.get("/app")).text
    assert "Nothing is waiting for you" not in page
    # The case came from the review of Tue 1 Dec: week 49's pack lists it (not this week's).
    assert (
        "Publish the weekly workforce sustainability review pack, week of Mon 30 Nov 2026 "
        "(1 case waiting)"
    ) in page
    assert 'href="/app/packs/weekly-sustainability/2026-W49"' in page
    assert "2026-W50 (" not in page
    await sign_in(api, "E-MANAGER")  # not the weekly pack's publisher
    assert "Publish the" not in (await api.http.get("/app")).text


def test_this_periods_packs_offer_the_summary_of_the_last_ended_cycle() -> None:
    """On Mon 7 Dec 2026 (a cycle start: 5 January + 24 x 14 days) the summary to read and
    publish is the cycle of 23 November to 6 December, whose audit runs that day, not the cycle
    just begun (walk defect: My work linked 2026-12-07, empty until 21 December)."""
    from datetime import UTC, datetime

    from api.web.home import current_periods
    from config.settings import Settings

    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    periods = current_periods(Settings(), now)
    assert periods == {
        "weekly-sustainability": "2026-W50",
        "fortnightly-governance": "2026-11-23",
        "monthly-board": "2026-11",  # the last ended month's, not December's still running
    }
    early = current_periods(Settings(), datetime(2026, 1, 12, 10, tzinfo=UTC))
    assert early["fortnightly-governance"] == ""  # the first cycle has not ended


def test_this_periods_packs_are_named_in_words() -> None:
    """My work names each pack by its period in words, not "2026-W50", "2026-11-23", "2026-12"
    (the codes stay in the links)."""
    from datetime import UTC, datetime

    from api.web.home import current_packs
    from config.settings import Settings

    packs = current_packs(Settings(), datetime(2026, 12, 7, 10, tzinfo=UTC))
    assert [title for title, _ in packs] == [
        "Weekly workforce sustainability review pack, week of Mon 7 Dec 2026",
        "Fortnightly workforce governance summary for the cycle 23 Nov – 6 Dec 2026",
        "Monthly board workforce experience pack for November 2026",
    ]
    assert [href for _, href in packs] == [
        "/app/packs/weekly-sustainability/2026-W50",
        "/app/packs/fortnightly-governance/2026-11-23",
        "/app/packs/monthly-board/2026-11",
    ]
