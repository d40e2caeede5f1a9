"""Helpers for operations tests: the API on a real socket, a dev server with its Web UI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from infra.temporal import data_converter
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import DEV_SERVER, make_test_settings
from tests.workflow_support import wait_for


@asynccontextmanager
async def serve_app(app: FastAPI) -> AsyncIterator[str]:
    """``app`` under uvicorn on 127.0.0.1 (free port); yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await wait_for(started)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def dev_server_with_ui(ui_port: int, codec_url: str) -> AsyncIterator[WorkflowEnvironment]:
    """A fresh dev server whose Web UI listens on ``ui_port`` and decodes through ``codec_url``."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER),
        data_converter=data_converter(make_test_settings()),
        ui=True,
        ui_port=ui_port,
        dev_server_extra_args=["--ui-codec-endpoint", codec_url, "--ui-disable-news-fetch"],
    )
    try:
        yield env
    finally:
        await env.shutdown()
