"""``/health/live`` and ``/health/ready``: readiness needs the database, Temporal, and a worker
polling the task queue (real dev server, real worker, SQLite); ``/health`` is unchanged."""

from __future__ import annotations

import uuid

import pytest

from tests.fixtures.api import ApiFactory
from tests.workflow_support import running_worker, wait_for


@pytest.mark.devserver
async def test_ready_only_while_a_worker_polls(dev_env, sqlite_url, sessions_for, api_for):
    queue = f"tq-ready-{uuid.uuid4().hex}"
    api = await api_for(sqlite_url, temporal=dev_env.client, temporal_task_queue=queue)
    assert (await api.get("/health/live", None)).json() == {"status": "alive"}
    before = await api.get("/health/ready", None)
    assert before.status_code == 503
    assert before.json() == {
        "status": "not-ready",
        "database": "ok",
        "temporal": "ok",
        "worker": f"no worker polls task queue {queue!r}",
    }
    async with running_worker(dev_env, sessions_for(sqlite_url), task_queue=queue):

        async def ready() -> bool:
            return (await api.get("/health/ready", None)).status_code == 200

        await wait_for(ready, within=30)
    assert (await api.get("/health", None)).json()["status"] == "ok"  # as before


async def test_not_ready_without_temporal_but_alive(sqlite_url: str, api_for: ApiFactory) -> None:
    api = await api_for(sqlite_url, temporal_address="127.0.0.1:1")
    assert (await api.get("/health/live", None)).status_code == 200
    response = await api.get("/health/ready", None)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not-ready" and body["database"] == "ok"
    assert body["temporal"].startswith("unreachable") and body["worker"].startswith("unknown")
