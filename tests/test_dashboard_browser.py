"""The reporting-confidence dashboard in a real browser (Debian Chromium driven by Playwright),
served by uvicorn on 127.0.0.1 against a real database, Temporal test server and worker."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import async_playwright, expect

from api.app import create_app
from domain import names
from tests.api_support import CRITICAL, seed
from tests.fixtures.api import bearer, token
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import make_test_settings
from tests.workflow_support import next_working_day, running_worker, wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@asynccontextmanager
async def serve(database_url: str, client, queue: str) -> AsyncIterator[str]:
    """The API on a real socket (127.0.0.1, free port); yields its base URL."""
    app = create_app(make_test_settings(database_url, temporal_task_queue=queue))
    app.state.temporal_client = client
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    await wait_for(lambda: _ready(server))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _ready(server: uvicorn.Server) -> bool:
    return server.started


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium; a missing browser fails the test (it is installed by `make test`)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required: run `make browsers` (apt-get install chromium)")
    return str(CHROMIUM)


async def test_analyst_marks_review_reviewed_and_supervisor_sees_the_step(
    own_env, sqlite_url, sessions_for, tmp_path, chromium
):
    sessions = sessions_for(sqlite_url)
    day = await next_working_day(own_env)
    await seed(sessions, day)
    async with (
        running_worker(own_env, sessions) as queue,
        serve(sqlite_url, own_env.client, queue) as base,
        httpx.AsyncClient(base_url=base) as http,
        async_playwright() as pw,
    ):
        started = await http.post(f"/reviews/acknowledgment/{day}", headers=bearer("E-ADMIN"))
        assert started.status_code == 202, started.text
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{base}/dashboard#token={token('E-ANALYST')}&date={day}")
        await expect(page.locator("#review-status")).to_contain_text("generated", timeout=15_000)
        await expect(page.locator("#review-counts")).to_contain_text("critical: 1")
        await page.click("#mark-reviewed")
        await expect(page.locator("#review-status")).to_contain_text("reviewed", timeout=15_000)
        review = await http.get(f"/reviews/ack-review-{day}", headers=bearer("E-INSPECTOR"))
        assert review.json()["status"] == "reviewed"
        assert review.json()["reviewed_by"] == "E-ANALYST"

        case_id = names.ack_case_id(CRITICAL)

        async def case_projected() -> bool:
            cases = await http.get("/cases", headers=bearer("E-SUPERVISOR"))
            return any(
                c["case_id"] == case_id and c["stage"] == "triage-attribution" for c in cases.json()
            )

        await wait_for(case_projected)
        supervisor = await browser.new_page()
        await supervisor.goto(f"{base}/dashboard#token={token('E-SUPERVISOR')}&date={day}")
        step_row = supervisor.locator("#steps tr", has_text=case_id)
        await expect(step_row).to_contain_text("triage-attribution", timeout=15_000)
        assert not await supervisor.locator("#mark-reviewed").is_visible()  # analyst only
        await step_row.click()
        await expect(supervisor.locator("#timeline")).to_contain_text("obligation_opened")
        await supervisor.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        await browser.close()
