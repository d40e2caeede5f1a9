"""Step submission latency: the full API path against a raw ``execute_update``.

Ours: ``POST /cases/{id}/steps/triage-attribution`` over a real socket (uvicorn) — token check,
staff lookup, body validation, the Temporal Update with its validator, the register write in
PostgreSQL, the projection — on real AcknowledgmentCaseWorkflow cases. Baseline: a minimal
workflow whose Update has a validator and runs one no-op activity, on the same dev server in the
same run. Each submission goes to a different case; latencies at concurrency 1 and 50.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select
from temporalio.client import Client
from temporalio.worker import Worker

from activities.deps import ActivityDeps
from api.app import create_app
from bench.common import Figure, drop_schema, new_schema, percentile
from bench.devserver import dev_server
from bench.steps_wf import BenchStepWorkflow, noop
from domain import names
from domain.acknowledgment import POLICY_VERSION
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.cases import CaseState, MarkReviewed
from domain.settings import Settings
from infra.mail import MailSettings
from infra.starters import start_review
from infra.tokens import mint_token
from store.db import make_engine, make_sessionmaker
from store.tables import Case
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.fixtures.mail import free_port
from tests.workflow_support import actor
from worker.registry import make_worker

SECRET = "bench-token-secret-0123456789abcdef0123456789"
DOCS = ["daily-review", "report-chronology", "triage-note-history", "risk-classification-source"]


async def _open_cases(client: Client, sessions: Any, queue: str, count: int) -> list[str]:
    """Seed COUNT critical reports, review and mark reviewed; wait for their cases."""
    calendar = CalendarConfig()
    day = BusinessCalendar(calendar).next_working_day(datetime.now(UTC).date())
    as_of = BusinessCalendar(calendar).wall(day, datetime.min.time().replace(hour=7))
    await load(sessions, "staff-directory", staff_rows())
    reports = [
        report_rows(f"NM-B{n:05d}", submitted_at=as_of - timedelta(days=3), ack_minutes=None)
        for n in range(count)
    ]
    await load_reports(sessions, reports)
    handle = await start_review(
        client, queue, names.EXAMPLE_ACKNOWLEDGMENT, day.isoformat(), calendar, POLICY_VERSION
    )
    for _ in range(600):
        try:
            await handle.execute_update(
                names.UPDATE_MARK_REVIEWED,
                MarkReviewed(actor=actor("E-ANALYST")),
                rpc_timeout=timedelta(seconds=10),
            )
            break
        except Exception:  # noqa: BLE001 - not generated yet
            await asyncio.sleep(0.2)
    for _ in range(1200):
        async with sessions() as session:
            ready = await session.scalar(
                select(func.count()).select_from(Case).where(Case.stage == "triage-attribution")
            )
        if ready == count:
            break
        await asyncio.sleep(0.25)
    return [names.ack_case_id(f"NM-B{n:05d}") for n in range(count)]


def _fields(state: CaseState) -> dict[str, Any]:
    computed = state.computed["triage-attribution"]
    return {
        "confirmed_sources": [
            {"source": "manager_non_review", "evidence": [{"document": "report-chronology"}]}
        ],
        "indicators_above_threshold": computed["indicator_count"],
        "repeated_worker_exposure": computed["repeated_worker_exposure"],
        "category_repeatedly_under_triaged": computed["repeated_category_under_triage"],
        "unsafe_condition_active_while_pending": computed["unsafe_condition_active_while_pending"],
        "note": "bench",
    }


async def _prepare(http: httpx.AsyncClient, client: Client, case_ids: list[str]) -> list[dict]:
    """Open the prerequisites (untimed) and build each case's submission."""
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'E-SUPERVISOR')}"}
    bodies = []
    for case_id in case_ids:
        for doc in DOCS:
            opened = await http.post(f"/cases/{case_id}/documents/{doc}/open", headers=headers)
            assert opened.status_code == 200, opened.text
        state = await client.get_workflow_handle(case_id).query(
            names.QUERY_STATE, result_type=CaseState
        )
        bodies.append(_fields(state))
    return bodies


async def _timed(concurrency: int, calls: list[Any]) -> list[float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(call: Any) -> None:
        async with gate:
            start = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(one(call) for call in calls))
    return latencies


async def _ours(
    http: httpx.AsyncClient, case_ids: list[str], bodies: list[dict], concurrency: int
) -> list[float]:
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'E-SUPERVISOR')}"}

    def call(case_id: str, body: dict) -> Any:
        async def post() -> None:
            response = await http.post(
                f"/cases/{case_id}/steps/triage-attribution",
                json=body,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                timeout=60,
            )
            assert response.status_code == 200, response.text

        return post

    return await _timed(concurrency, [call(c, b) for c, b in zip(case_ids, bodies, strict=True)])


async def _raw(client: Client, queue: str, count: int, concurrency: int) -> list[float]:
    handles = [
        await client.start_workflow(
            BenchStepWorkflow.run, id=f"bench-step-{uuid.uuid4().hex}", task_queue=queue
        )
        for _ in range(count)
    ]

    def call(handle: Any) -> Any:
        async def update() -> None:
            await handle.execute_update(
                BenchStepWorkflow.submit, {"note": "bench"}, rpc_timeout=timedelta(seconds=60)
            )

        return update

    return await _timed(concurrency, [call(h) for h in handles])


def _figures(concurrency: int, ours: list[float], raw: list[float]) -> list[Figure]:
    return [
        Figure(
            f"steps c={concurrency}",
            f"latency p{p} (ms)",
            "ms",
            [percentile(ours, p) * 1000],
            [percentile(raw, p) * 1000],
            note=f"{len(ours)} submissions; target p50<=1.5x, p99<=2x",
        )
        for p in (50, 95, 99)
    ]


async def bench(quick: bool) -> list[Figure]:
    """Latency of a step submission through the API vs a raw Update, at concurrency 1 and 50."""
    plan = [(1, 30), (50, 100)] if quick else [(1, 100), (50, 300)]
    schema, url = await new_schema("steps")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    figures: list[Figure] = []
    try:
        async with dev_server() as client:
            queue, raw_queue = f"bench-{uuid.uuid4().hex}", f"bench-raw-{uuid.uuid4().hex}"
            deps = ActivityDeps(
                sessions=sessions,
                client=client,
                task_queue=queue,
                mail=MailSettings(port=free_port(), timeout_seconds=1),
            )
            settings = Settings(
                env="development", database_url=url, token_secret=SECRET, temporal_task_queue=queue
            )
            app = create_app(settings)
            app.state.temporal_client = client
            port = free_port()
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
            )
            serving = asyncio.create_task(server.serve())
            raw_worker = Worker(
                client, task_queue=raw_queue, workflows=[BenchStepWorkflow], activities=[noop]
            )
            async with (
                make_worker(client, deps, queue),
                raw_worker,
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
            ):
                while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag only
                    await asyncio.sleep(0.05)
                case_ids = await _open_cases(client, sessions, queue, sum(n for _, n in plan))
                bodies = await _prepare(http, client, case_ids)
                at = 0
                for concurrency, count in plan:
                    ours = await _ours(
                        http, case_ids[at : at + count], bodies[at : at + count], concurrency
                    )
                    raw = await _raw(client, raw_queue, count, concurrency)
                    figures += _figures(concurrency, ours, raw)
                    at += count
            server.should_exit = True
            await serving
    finally:
        await engine.dispose()
        await drop_schema(schema)
    return figures
