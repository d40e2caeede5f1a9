"""My work with the Temporal server really stopped after the app connected (a dev server on its
own file): the page still answers, without the "still being opened" hint it cannot check, as
``api.web.opening_notice.reviews_opening`` promises ("[] when Temporal cannot be asked"); it
answered 503 after 10 s, the mapped "Temporal unreachable" escaping it. It gives up within
its own 2 s limit, as the case view does."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, timedelta

import pytest

from api.deps import temporal_client
from store.db import transaction
from store.tables import Review
from tests.factories import load, staff_rows
from tests.fault_support import DevServer
from tests.fixtures.database import create_schema_tables, sqlite_file_url
from tests.web_support import sign_in, text

pytestmark = [pytest.mark.faults, pytest.mark.devserver]
HINT = "are still being opened; this list will fill in"
LIMIT = 2.0  # api.web.opening_notice.HINT_TIMEOUT
SLACK = 2.5  # a loaded shared machine


async def test_my_work_answers_without_the_opening_hint_when_temporal_stopped(
    tmp_path, sessions_for, api_for
):
    url = sqlite_file_url(tmp_path / "nearmiss.db")
    await create_schema_tables(url)
    sessions = sessions_for(url)
    await load(sessions, "staff-directory", staff_rows())
    now = datetime.now(UTC)  # the app's own clock: real time here
    async with transaction(sessions) as session:
        for day in ("2026-12-03", "2026-12-04"):  # two marked within the hour: asked together
            session.add(_reviewed(day, now - timedelta(minutes=5)))
    server = DevServer(tmp_path)
    await server.start()
    try:
        api = await api_for(
            url,
            temporal_address=server.settings.temporal_address,
            env="development",
            api_host="127.0.0.1",
        )
        await temporal_client(api.app)  # connected, as marking a review connects it
        await sign_in(api, "E-SUPERVISOR")
        server.stop()
        began = clock.monotonic()
        page = await api.http.get("/app")
        waited = clock.monotonic() - began
        assert page.status_code == 200, page.text
        assert waited < LIMIT + SLACK, waited  # it waited 10 s (the default RPC timeout)
        assert "My work" in text(page.text) and HINT not in text(page.text)
    finally:
        server.stop()


def _reviewed(day: str, at: datetime) -> Review:
    return Review(
        review_id=f"ack-review-{day}",
        example="acknowledgment",
        period=day,
        as_of=at,
        generated_at=at,
        status="reviewed",
        reviewed_by="E-ANALYST",
        reviewed_at=at,
        summary={},
    )
