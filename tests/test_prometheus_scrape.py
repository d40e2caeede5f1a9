"""A real Prometheus (Debian's package, on loopback) scrapes the API and the worker of a running
stack (dev server, `run_worker`, the API under uvicorn) and its HTTP API shows the series after a
seeded scenario, and the repository's alert rules evaluated on them."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from api.app import create_app
from tests.api_support import reviewed
from tests.fixtures.api import ApiClient
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import make_test_settings
from tests.ops_seed import LOG, seed_operations
from tests.ops_support import serve_app
from tests.workflow_support import wait_for
from worker.main import run_worker

OPS = Path(__file__).resolve().parent.parent / "ops"
RULES = OPS / "prometheus" / "alerts.yml"
DASHBOARD = OPS / "grafana" / "dashboards" / "nearmiss-governance.json"


@contextmanager
def prometheus(tmp_path: Path, api: str, worker: str) -> Iterator[str]:
    """Prometheus on 127.0.0.1 (free port) scraping ``api`` and ``worker`` every second."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is required: run `make ops-tools` (Debian's prometheus)")
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": "nearmiss-api", "static_configs": [{"targets": [api]}]},
            {"job_name": "nearmiss-worker", "static_configs": [{"targets": [worker]}]},
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary, f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


class PromQL:
    """Prometheus's HTTP API: instant queries and alerts."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def query(self, expr: str) -> list[dict[str, Any]]:
        response = await self.http.get("/api/v1/query", params={"query": expr})
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()["data"]["result"]
        return result

    async def value(self, expr: str) -> float | None:
        result = await self.query(expr)
        return float(result[0]["value"][1]) if len(result) == 1 else None

    async def until(self, expr: str, expected: Any, within: float = 30.0) -> float | None:
        """Poll ``expr`` until ``expected(value)`` (or equality) holds; returns the value."""
        check = expected if callable(expected) else (lambda v: v == expected)

        async def ok() -> bool:
            return check(await self.value(expr))

        try:
            await wait_for(ok, within=within)
        except AssertionError:
            raise AssertionError(f"{expr} = {await self.value(expr)}, wanted {expected}") from None
        return await self.value(expr)

    async def alerts(self) -> dict[str, str]:
        response = await self.http.get("/api/v1/alerts")
        return {a["labels"]["alertname"]: a["state"] for a in response.json()["data"]["alerts"]}


@asynccontextmanager
async def stack(settings: Any) -> AsyncIterator[tuple[ApiClient, str]]:
    """The worker (``run_worker``, SDK metrics on) and the API under uvicorn."""
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop=stop))
    app = create_app(settings)
    try:
        async with (
            app.router.lifespan_context(app),
            serve_app(app) as base,
            httpx.AsyncClient(base_url=base, timeout=30) as http,
        ):
            yield ApiClient(app, http), base.removeprefix("http://")
    finally:
        stop.set()
        await worker


@pytest.mark.devserver
async def test_prometheus_scrapes_api_and_worker(own_dev_env, sqlite_url, sessions_for, tmp_path):
    dev_env = own_dev_env
    sessions = sessions_for(sqlite_url)
    await seed_operations(sessions, datetime.now(UTC))
    worker_metrics = f"127.0.0.1:{free_port()}"
    settings = make_test_settings(
        sqlite_url, temporal_address=dev_env.client.service_client.config.target_host,
        temporal_task_queue=f"tq-prom-{free_port()}", worker_metrics_address=worker_metrics,
        smtp_port=1,
    )  # fmt: skip
    async with (
        stack(settings) as (api, api_address),
        httpx.AsyncClient(timeout=10) as http,
    ):
        with prometheus(tmp_path, api_address, worker_metrics) as base:
            http.base_url = httpx.URL(base)
            prom = PromQL(http)
            rid = await reviewed(api, dev_env, sessions)
            cases = await wait_for(lambda: _settled_cases_at(api, "triage-attribution", 3))
            await _assert_series(prom, rid, len(cases))


async def _cases_at(api: ApiClient, stage: str, at_least: int) -> list[dict[str, Any]] | None:
    response = await api.get("/cases", "E-SUPERVISOR")
    found = [c for c in response.json() if c["stage"] == stage]
    return found if len(found) >= at_least else None


async def _settled_cases_at(
    api: ApiClient, stage: str, at_least: int
) -> list[dict[str, Any]] | None:
    """The cases at STAGE once the review has opened them all (the same list twice, 2 s apart):
    the review opens its cases one by one, so the first count seen may still grow."""
    first = await _cases_at(api, stage, at_least)
    if first is None:
        return None
    await asyncio.sleep(2)
    second = await _cases_at(api, stage, at_least)
    same = second is not None and {c["case_id"] for c in first} == {c["case_id"] for c in second}
    return second if same else None


async def _assert_series(prom: PromQL, rid: str, triage_cases: int) -> None:
    await prom.until('up{job="nearmiss-api"}', 1)
    await prom.until('up{job="nearmiss-worker"}', 1)
    ack = 'example="acknowledgment"'
    await prom.until(f'nearmiss_cases{{{ack},stage="triage-attribution"}}', triage_cases)
    await prom.until(f'nearmiss_cases{{{ack},stage="closed"}}', 1)
    await prom.until(f'sum(nearmiss_breaches_open{{{ack},escalation_level="3"}})', 2)
    oldest = 'nearmiss_breaches_open_oldest_age_seconds{step="retention-impact"}'
    await prom.until(oldest, lambda v: v is not None and 7200 <= v < 7300)
    await prom.until(f"nearmiss_reviews_overdue{{{ack}}}", 1)
    await prom.until('nearmiss_mail_messages{state="delivered"}', 2)
    await prom.until("nearmiss_mail_oldest_undelivered_age_seconds", lambda v: v and v >= 1200)
    await prom.until(f'nearmiss_register_chain_ok{{register="{LOG}"}}', 1)
    await prom.until('nearmiss_task_queue_pollers{kind="workflow"}', lambda v: v and v >= 1)
    route = 'job="nearmiss-api",handler="/reviews/{review_id}/reviewed",method="POST"'
    await prom.until(f'http_requests_total{{{route},status="200"}}', 1)
    await prom.until(f'http_requests_total{{{route},status="403"}}', 1)
    await prom.until(f'http_request_duration_seconds_count{{{route},status="200"}}', 1)
    assert rid.startswith("ack-review-")
    worker = 'job="nearmiss-worker"'
    await prom.until(
        f"sum(temporal_workflow_task_schedule_to_start_latency_count{{{worker}}})",
        lambda v: v and v > 0,
    )
    await prom.until(f"sum(temporal_num_pollers{{{worker}}})", lambda v: v and v > 0)
    await wait_for(lambda: _firing(prom, "NearmissBoardLevelBreach"), within=30)
    alerts = await prom.alerts()
    assert "NearmissRegisterChainBroken" not in alerts
    assert "NearmissNoWorkerPolling" not in alerts
    await _dashboard_queries_answer(prom)


async def _dashboard_queries_answer(prom: PromQL) -> None:
    """Every panel of the Grafana dashboard is valid PromQL; the service's figures have data."""
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"].replace("$__rate_interval", "1m")
            result = await prom.query(expr)
            if "nearmiss_" in expr and "feed" not in expr:
                assert result, f"{panel['title']}: {expr} has no data"


async def _firing(prom: PromQL, name: str) -> bool:
    return (await prom.alerts()).get(name) == "firing"
