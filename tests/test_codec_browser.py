"""The Temporal Web UI at the address ``make run`` prints decodes payloads through the API's
codec endpoint (Debian Chromium, a real dev server with its UI, the API under uvicorn)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from api.app import create_app
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import make_test_settings
from tests.ops_support import dev_server_with_ui, serve_app


@pytest.mark.devserver
async def test_web_ui_on_127_0_0_1_shows_decoded_input(
    sqlite_url: str, tmp_path: Path, chromium: str
) -> None:
    ui_port = free_port()  # not 8233: the allowed origin follows the configured port
    settings = make_test_settings(sqlite_url, env="development", temporal_ui_port=ui_port)
    app = create_app(settings)
    marker = f"decoded-{uuid.uuid4().hex[:8]}"
    async with (
        app.router.lifespan_context(app),
        serve_app(app) as api,
        dev_server_with_ui(ui_port, f"{api}/codec") as env,
        async_playwright() as pw,
    ):
        handle = await env.client.start_workflow(
            "NoWorkerWorkflow",
            {"marker": marker},
            id=f"codec-{uuid.uuid4().hex}",
            task_queue="no-worker",
        )
        raw = await anext(aiter(handle.fetch_history_events()))
        sealed = raw.workflow_execution_started_event_attributes.input.payloads[0]
        assert sealed.metadata["encoding"] == b"binary/encrypted"  # the UI only has ciphertext
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        run = f"{handle.id}/{handle.result_run_id}"
        await page.goto(f"http://127.0.0.1:{ui_port}/namespaces/default/workflows/{run}/history")
        try:
            await expect(page.get_by_text(marker).first).to_be_visible(timeout=30_000)
        finally:
            await page.screenshot(path=str(tmp_path / "ui.png"), full_page=True)
            await browser.close()
