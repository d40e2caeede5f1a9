"""``GET /health`` against a real Temporal server and a real database, and with each one down."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.settings import Settings
from tests.fixtures.temporal import make_test_settings


@asynccontextmanager
async def _api(
    settings: Settings, temporal: Client | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    if temporal is not None:
        app.state.temporal_client = temporal
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_ok_when_temporal_and_database_answer(
    temporal_env: WorkflowEnvironment, sqlite_url: str
) -> None:
    async with _api(make_test_settings(sqlite_url), temporal_env.client) as api:
        response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "temporal": "ok", "database": "ok"}


async def test_connects_lazily_to_the_configured_server(
    temporal_env: WorkflowEnvironment, sqlite_url: str
) -> None:
    address = temporal_env.client.service_client.config.target_host
    async with _api(make_test_settings(sqlite_url, temporal_address=address)) as api:
        response = await api.get("/health")
    assert response.json()["temporal"] == "ok"


async def test_degraded_when_temporal_is_unreachable(sqlite_url: str) -> None:
    settings = make_test_settings(sqlite_url, temporal_address=f"127.0.0.1:{_closed_port()}")
    started = time.monotonic()
    async with _api(settings) as api:
        response = await api.get("/health")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["temporal"].startswith("unreachable: ")


async def test_degraded_when_the_database_is_unreachable(temporal_env: WorkflowEnvironment) -> None:
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{_closed_port()}/none"
    async with _api(make_test_settings(url), temporal_env.client) as api:
        response = await api.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["temporal"] == "ok"
    assert body["database"].startswith("error: ")


async def test_openapi_documents_the_routes(sqlite_url: str) -> None:
    async with _api(make_test_settings(sqlite_url)) as api:
        document = (await api.get("/openapi.json")).json()
        docs = await api.get("/docs")
    assert document["info"]["title"] == "Near-miss governance"
    assert {"/health", "/codec/encode", "/codec/decode"} <= set(document["paths"])
    assert docs.status_code == 200
