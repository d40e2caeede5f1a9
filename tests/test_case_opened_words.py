"""The case page's "Opened" is the time its history says "Case opened." (the walk of 7 December
read "Opened Mon 7 Dec, 23:33" above "23:34 Case opened.": the review was marked at 23:33:5x,
the case's workflow recorded its opening a few seconds later, in the next minute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.db import transaction
from tests.factories import load, staff_rows
from tests.fixtures.mail import free_port
from tests.stored_rows import case, event
from tests.web_support import sign_in, text

DECIDED = datetime(2026, 12, 7, 23, 33, 55, tzinfo=UTC)
RECORDED = DECIDED + timedelta(seconds=9)  # 23:34:04


async def test_opened_is_when_the_history_says_the_case_opened(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        session.add(case("acknowledgment", "ack-case-NM-7", "NM-7", "opened", DECIDED))
        session.add(event("ack-case-NM-7", RECORDED, "stage", stage="opened"))
    api = await api_for(
        sqlite_url, env="development", api_host="127.0.0.1",
        temporal_address=f"127.0.0.1:{free_port()}",
    )  # fmt: skip
    await sign_in(api, "E-SUPERVISOR")
    page = await api.http.get("/app/cases/ack-case-NM-7")
    assert page.status_code == 200, page.text
    words = text(page.text)
    assert "Opened Mon 7 Dec, 23:34" in words and "23:34 Case opened." in words, words
    assert "23:33" not in words
