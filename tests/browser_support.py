"""Pages in a real browser: the app served by uvicorn on loopback, Debian Chromium driven by
Playwright, axe-core's accessibility check, and screenshots in ``var/screenshots/``."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from api.app import create_app
from api.clock import Clock
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import make_test_settings
from tests.workflow_support import wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
BLOCKING = frozenset({"serious", "critical"})


@asynccontextmanager
async def serve_pages(
    database_url: str, client: Any, queue: str, clock: Clock
) -> AsyncIterator[str]:
    """The app in development mode on 127.0.0.1 (free port), with the given clock."""
    settings = make_test_settings(
        database_url, temporal_task_queue=queue, env="development", api_host="127.0.0.1"
    )
    app = create_app(settings)
    app.state.temporal_client = client
    app.state.clock = clock
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def ready() -> bool:
        return server.started

    await wait_for(ready)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium; a missing browser fails the test (`make browsers` installs it)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required: run `make browsers` (apt-get install chromium)")
    return str(CHROMIUM)


async def sign_in_as(page: Page, base: str, display_name: str, next_path: str) -> None:
    """Development "sign in as" through the page, returning to ``next_path``."""
    await page.goto(f"{base}/app/sign-in?next={next_path}")
    await page.get_by_role("button", name=f"Sign in as {display_name}", exact=True).click()
    await page.wait_for_url(f"{base}{next_path}")


async def accessible(page: Page, name: str) -> None:
    """axe-core finds no serious or critical violation; the page is saved as ``name``.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = await Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in blocking]
    assert not blocking, f"{name}: {summary}"
