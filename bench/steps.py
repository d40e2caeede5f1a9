"""Step submission latency: the full API path against a raw ``execute_update``.

Ours: ``POST /cases/{id}/steps/triage-attribution`` to the API in its own process (``nearmiss
api``, uvicorn, as deployed), from this process, which also runs the worker — token check,
staff lookup, body validation, the Temporal Update with its validator, the register write in
PostgreSQL, the projection — on real AcknowledgmentCaseWorkflow cases. Baseline: a minimal
workflow whose Update has a validator and runs one no-op activity, on the same dev server in the
same run. Each submission goes to a different case; latencies at concurrency 1 and 50.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from asyncio.subprocess import DEVNULL
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker

from activities.deps import ActivityDeps
from bench.common import Figure, drop_schema, new_schema, percentile, table
from bench.devserver import dev_server
from bench.step_counts import StatementCounter, StepCount, live_count
from bench.step_counts import table as step_table
from bench.steps_wf import BenchStepWorkflow, noop
from domain import names
from domain.acknowledgment import POLICY_VERSION
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.cases import CaseState, StepReceipt, StepSubmission
from domain.collector import freeze_startup_heap
from domain.periodic import MarkReviewed
from infra.mail import MailSettings
from infra.starters import start_review
from infra.tokens import mint_token
from store.db import make_engine, make_sessionmaker
from store.tables import Case
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.fixtures.mail import Inbox, free_port
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
            {
                "source": "manager_non_review",
                "evidence": [
                    {"document": "report-chronology"},
                    {"document": "risk-classification-source"},
                ],
            }
        ],
        "indicators_above_threshold": computed["indicator_count"],
        "repeated_worker_exposure": computed["repeated_worker_exposure"],
        "category_repeatedly_under_triaged": computed["repeated_category_under_triage"],
        "unsafe_condition_active_while_pending": computed["unsafe_condition_active_while_pending"],
        "note": "bench",
    }


async def _prepare(
    http: httpx.AsyncClient, client: Client, case_ids: list[str]
) -> list[dict[str, Any]]:
    """Open the prerequisites (untimed) and build each case's submission."""
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'E-SUPERVISOR')}"}
    gate = asyncio.Semaphore(8)

    async def one(case_id: str) -> dict[str, Any]:
        async with gate:
            for doc in DOCS:
                url = f"/cases/{case_id}/documents/{doc}/open"
                opened = await http.post(url, headers=headers, timeout=60)
                assert opened.status_code == 200, opened.text
            state = await client.get_workflow_handle(case_id).query(
                names.QUERY_STATE, result_type=CaseState
            )
        return _fields(state)

    return list(await asyncio.gather(*(one(case_id) for case_id in case_ids)))


Call = Callable[[], Awaitable[bool]]
Plan = list[tuple[int, int]]


async def _timed(concurrency: int, calls: list[Call]) -> tuple[list[float], int]:
    """Run CALLS, at most CONCURRENCY at once: latencies of the successes, and failures."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures = 0

    async def one(call: Call) -> None:
        nonlocal failures
        async with gate:
            start = time.perf_counter()
            if await call():
                latencies.append(time.perf_counter() - start)
            else:
                failures += 1

    await asyncio.gather(*(one(call) for call in calls))
    return latencies, failures


async def _ours(
    http: httpx.AsyncClient, case_ids: list[str], bodies: list[dict[str, Any]], concurrency: int
) -> tuple[list[float], int]:
    """The step through the API; a non-200 answer (e.g. 503 after the RPC timeout) fails."""
    headers = {"Authorization": f"Bearer {mint_token(SECRET, 'E-SUPERVISOR')}"}

    def call(case_id: str, body: dict[str, Any]) -> Call:
        async def post() -> bool:
            response = await http.post(
                f"/cases/{case_id}/steps/triage-attribution",
                json=body,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                timeout=60,
            )
            return response.status_code == 200

        return post

    return await _timed(concurrency, [call(c, b) for c, b in zip(case_ids, bodies, strict=True)])


async def _direct(
    client: Client, case_ids: list[str], bodies: list[dict[str, Any]], concurrency: int
) -> tuple[list[float], int]:
    """The same submission as a raw Update on the real workflow: ours without the API."""
    who = actor("E-SUPERVISOR")

    def call(case_id: str, body: dict[str, Any]) -> Call:
        async def update() -> bool:
            submission = StepSubmission(step="triage-attribution", actor=who, fields=body)
            try:
                await client.get_workflow_handle(case_id).execute_update(
                    names.UPDATE_SUBMIT_STEP,
                    submission,
                    result_type=StepReceipt,
                    rpc_timeout=timedelta(seconds=60),
                )
            except Exception:  # noqa: BLE001 - counted as a failure
                return False
            return True

        return update

    return await _timed(concurrency, [call(c, b) for c, b in zip(case_ids, bodies, strict=True)])


async def _raw(
    client: Client, queue: str, ids: list[str], concurrency: int
) -> tuple[list[float], int]:
    """The baseline: one Update on each of the minimal workflows IDS (started first, untimed)."""
    handles = [
        await client.start_workflow(BenchStepWorkflow.run, id=workflow_id, task_queue=queue)
        for workflow_id in ids
    ]

    def call(handle: Any) -> Call:
        async def update() -> bool:
            try:
                await handle.execute_update(
                    BenchStepWorkflow.submit, {"note": "bench"}, rpc_timeout=timedelta(seconds=60)
                )
            except Exception:  # noqa: BLE001 - counted as a failure, as for ours
                return False
            return True

        return update

    return await _timed(concurrency, [call(h) for h in handles])


async def _counts(
    client: Client, raw_queue: str, case_id: str, body: dict[str, Any], counter: StatementCounter
) -> list[StepCount]:
    """One direct submission and one raw Update, counted (events, tasks, worker round trips)."""
    ours = client.get_workflow_handle(case_id)
    submission = StepSubmission(step="triage-attribution", actor=actor("E-SUPERVISOR"), fields=body)

    async def submit() -> None:
        await ours.execute_update(names.UPDATE_SUBMIT_STEP, submission, result_type=StepReceipt)

    raw = await client.start_workflow(
        BenchStepWorkflow.run, id=f"bench-count-{uuid.uuid4().hex}", task_queue=raw_queue
    )

    async def submit_raw() -> None:
        await raw.execute_update(BenchStepWorkflow.submit, {"note": "bench"})

    counts = [
        await live_count("example 1 triage-attribution (live)", ours, submit, counter),
        await live_count("raw Update (live)", raw, submit_raw, counter),
    ]
    print(step_table(counts), flush=True)
    print(f"round trips by activity: {dict(counter.by_activity)}", flush=True)
    return counts


@contextmanager
def _profiled(label: str) -> Iterator[None]:
    """With BENCH_PROFILE=DIR: profile the block (pyinstrument, whole thread) into DIR/LABEL.txt."""
    out = os.environ.get("BENCH_PROFILE")
    if not out:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled", interval=0.001)
    with profiler:
        yield
    Path(out).mkdir(parents=True, exist_ok=True)
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    (Path(out) / f"{label}.txt").write_text(text)


async def _timeline(client: Client, workflow_id: str) -> str:
    """With BENCH_PROFILE: the server's view of a workflow's last update (ms after acceptance)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    events = list(history.events)
    accepted = max(
        i
        for i, e in enumerate(events)
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    )
    start = events[accepted].event_time.ToDatetime()
    lines = [f"{workflow_id}: update accepted at event {events[accepted].event_id}"]
    for event in events[accepted - 3 :]:
        at = (event.event_time.ToDatetime() - start).total_seconds() * 1000
        kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
        lines.append(f"  {at:8.1f} ms  {event.event_id:4d} {kind}")
    return "\n".join(lines)


def _figures(concurrency: int, runs: dict[str, tuple[list[float], int]]) -> list[Figure]:
    """Ours (API) and the real workflow without the API (direct), each against the raw Update."""
    raw, _ = runs["raw"]
    figures = []
    for series, label in (("ours", "API"), ("direct", "Update on the real workflow, no API")):
        values, failures = runs[series]
        for p in (50, 95, 99):
            note = f"{len(values)} ok, {failures} failed; {label}"
            figures.append(
                Figure(
                    f"steps c={concurrency}",
                    f"{series} latency p{p}",
                    "ms",
                    [percentile(values, p) * 1000],
                    [percentile(raw, p) * 1000],
                    note=note + ("; target p50<=1.5x, p99<=2x" if series == "ours" else ""),
                )
            )
    return figures


async def _measure(
    http: httpx.AsyncClient,
    client: Client,
    sessions: Any,
    queues: tuple[str, str],
    plan: Plan,
    counter: StatementCounter,
) -> list[Figure]:
    """Each (concurrency, count) of PLAN: COUNT by the API, COUNT/2 direct, COUNT raw."""
    sizes = [(count, count // 2) for _, count in plan]
    queue, raw_queue = queues
    case_ids = await _open_cases(client, sessions, queue, sum(a + b for a, b in sizes) + 1)
    bodies = await _prepare(http, client, case_ids)
    counts = await _counts(client, raw_queue, case_ids.pop(), bodies.pop(), counter)
    figures: list[Figure] = [
        Figure("steps counts", f"{c.label}: {what}", "n", [float(n)])
        for c in counts
        for what, n in (
            ("events", c.events),
            ("workflow tasks", c.workflow_tasks),
            ("activities", c.activities),
            ("local activities", c.local_activities),
            ("DB round trips (worker)", c.db_round_trips or 0),
        )
    ]
    at = 0
    for (concurrency, count), (n_ours, n_direct) in zip(plan, sizes, strict=True):
        ours_ids, ours_bodies = case_ids[at : at + n_ours], bodies[at : at + n_ours]
        at += n_ours
        direct_ids, direct_bodies = case_ids[at : at + n_direct], bodies[at : at + n_direct]
        at += n_direct
        with _profiled(f"ours-c{concurrency}"):
            ours = await _ours(http, ours_ids, ours_bodies, concurrency)
        direct = await _direct(client, direct_ids, direct_bodies, concurrency)
        raw_ids = [f"bench-step-{uuid.uuid4().hex}" for _ in range(count)]
        raw = await _raw(client, raw_queue, raw_ids, concurrency)
        if os.environ.get("BENCH_PROFILE") and concurrency == 1:
            print(await _timeline(client, ours_ids[-1]), flush=True)
            print(await _timeline(client, direct_ids[-1]), flush=True)
            print(await _timeline(client, raw_ids[-1]), flush=True)
        figures += _figures(concurrency, {"ours": ours, "direct": direct, "raw": raw})
        print(table(figures[-6:]), flush=True)  # each concurrency's figures as soon as known
    return figures


@asynccontextmanager
async def _api_process(client: Client, url: str, queue: str) -> AsyncIterator[str]:
    """The API in its own process (``nearmiss api``), as deployed: yields its base URL.

    In one process with the worker and the load generator it would share their GIL, which
    production never does (docker-compose runs ``api`` and ``worker`` as separate services).
    """
    port = free_port()
    env = {
        **os.environ,
        "NEARMISS_ENV": "development",
        "NEARMISS_DATABASE_URL": url,
        "NEARMISS_TOKEN_SECRET": SECRET,
        "NEARMISS_TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "NEARMISS_TEMPORAL_TASK_QUEUE": queue,
        "NEARMISS_API_HOST": "127.0.0.1",
        "NEARMISS_API_PORT": str(port),
    }
    code = "from cli.service_cmd import run_api; run_api()"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, env=env, stdout=DEVNULL, stderr=DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as probe:
            for _ in range(600):
                if process.returncode is not None:
                    raise RuntimeError("the API process exited")
                try:
                    if (await probe.get("/health", timeout=5)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the API did not become healthy")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


async def bench(quick: bool) -> list[Figure]:
    """Latency of a step submission through the API vs a raw Update, at concurrency 1 and 50."""
    plan = [(1, 100), (50, 200)] if quick else [(1, 200), (50, 500)]
    if "BENCH_STEPS_PLAN" in os.environ:  # e.g. "1:30,50:100" (reduced); "" counts only
        pairs = (item.split(":") for item in os.environ["BENCH_STEPS_PLAN"].split(",") if item)
        plan = [(int(c), int(n)) for c, n in pairs]
    counter = StatementCounter()
    schema, url = await new_schema("steps")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    # A real SMTP server on loopback: each opened obligation mails its owner ("this is now
    # yours"), as deployed; with no server those mails would fail and retry during the run.
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        async with dev_server() as client:
            queue, raw_queue = f"bench-{uuid.uuid4().hex}", f"bench-raw-{uuid.uuid4().hex}"
            deps = ActivityDeps(
                sessions=sessions,
                client=client,
                task_queue=queue,
                mail=MailSettings(port=smtp.port, timeout_seconds=5),
            )
            raw_worker = Worker(
                client, task_queue=raw_queue, workflows=[BenchStepWorkflow], activities=[noop]
            )
            async with (
                make_worker(client, deps, queue),
                raw_worker,
                _api_process(client, url, queue) as base,
                httpx.AsyncClient(base_url=base) as http,
            ):
                freeze_startup_heap()  # as the worker process does once it is set up
                with counter.attached(engine):
                    figures = await _measure(
                        http, client, sessions, (queue, raw_queue), plan, counter
                    )
    finally:
        smtp.stop()
        await engine.dispose()
        await drop_schema(schema)
    return figures
