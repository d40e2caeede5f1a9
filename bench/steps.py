"""Step submission latency: the full API path against a raw ``execute_update``.

Ours: ``POST /cases/{id}/steps/triage-attribution`` to the API in its own process (``nearmiss
api``, uvicorn, as deployed), from this process, which also runs the worker — token check,
staff lookup, body validation, the Temporal Update with its validator, the register write in
PostgreSQL, the projection — on real AcknowledgmentCaseWorkflow cases. Baseline: a minimal
workflow whose Update has a validator and runs one no-op activity, on the same dev server in the
same run. Each submission goes to a different case; latencies at concurrency 1 and 50, in
alternating rounds that each start from idle (``bench.steps_rounds``).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from temporalio.client import Client
from temporalio.worker import Worker

from activities.deps import ActivityDeps
from bench.common import Figure, drop_schema, new_schema, table
from bench.devserver import dev_server
from bench.step_counts import StatementCounter, StepCount, live_count
from bench.step_counts import table as step_table
from bench.steps_rounds import drained, round_figures, rounds_wanted, run_rounds
from bench.steps_setup import SECRET, api_process, open_cases, prepare, profiled
from bench.steps_wf import BenchStepWorkflow, noop
from domain import names
from domain.cases import StepReceipt, StepSubmission
from domain.collector import freeze_startup_heap
from infra.mail import MailSettings
from infra.tokens import mint_token
from store.db import make_engine, make_sessionmaker
from tests.fixtures.mail import Inbox, free_port
from tests.workflow_support import actor
from worker.registry import make_worker

Call = Callable[[], Awaitable[bool]]
Plan = list[tuple[int, int]]


async def _timed(concurrency: int, calls: list[Call]) -> tuple[list[float], int]:
    """Run CALLS, at most CONCURRENCY at once: every call's latency, and the failures. A
    failure's latency is its time to failure (e.g. the API's 10 s RPC timeout): a lower bound,
    kept so that percentiles are of every submission, not of the survivors."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures = 0

    async def one(call: Call) -> None:
        nonlocal failures
        async with gate:
            start = time.perf_counter()
            ok = await call()
            latencies.append(time.perf_counter() - start)
            failures += 0 if ok else 1

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
    """The baseline: one Update on each of the minimal workflows IDS (started first and left to
    run their first workflow task, untimed: ours are waiting idle at their step too)."""
    handles = [
        await client.start_workflow(BenchStepWorkflow.run, id=workflow_id, task_queue=queue)
        for workflow_id in ids
    ]
    await drained(client, ids)

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


async def _measure(
    http: httpx.AsyncClient,
    client: Client,
    sessions: Any,
    queues: tuple[str, str],
    plan: Plan,
    counter: StatementCounter,
) -> list[Figure]:
    """Each (concurrency, count) of PLAN: rounds of COUNT by the API and COUNT raw (and, with
    BENCH_STEPS_DIRECT=1, COUNT direct), alternating, each from idle (``bench.steps_rounds``)."""
    rounds = rounds_wanted()
    direct = bool(os.environ.get("BENCH_STEPS_DIRECT"))
    queue, raw_queue = queues
    per_round = 2 if direct else 1
    needed = sum(count * per_round * rounds for _, count in plan) + 1
    case_ids = await open_cases(client, sessions, queue, needed)
    bodies = await prepare(http, client, case_ids)
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
    pool = list(zip(case_ids, bodies, strict=True))

    def take(count: int) -> tuple[list[str], list[dict[str, Any]]]:
        taken, pool[:count] = pool[:count], []
        return [c for c, _ in taken], [b for _, b in taken]

    for concurrency, count in plan:

        async def ours(c: int, count: int = count) -> tuple[list[float], int, list[str]]:
            ids, payloads = take(count)
            with profiled(f"ours-c{c}"):
                latencies, failures = await _ours(http, ids, payloads, c)
            return latencies, failures, ids

        async def direct_series(c: int, count: int = count) -> tuple[list[float], int, list[str]]:
            ids, payloads = take(count)
            latencies, failures = await _direct(client, ids, payloads, c)
            return latencies, failures, ids

        async def raw(c: int, count: int = count) -> tuple[list[float], int, list[str]]:
            ids = [f"bench-step-{uuid.uuid4().hex}" for _ in range(count)]
            latencies, failures = await _raw(client, raw_queue, ids, c)
            return latencies, failures, ids

        series: dict[str, Any] = {"ours": ours, "raw": raw}
        if direct:
            series["direct"] = direct_series
        done = await run_rounds(client, concurrency, series, rounds)
        figures += round_figures(concurrency, done)
        print(table(figures[-4 * (len(series) - 1) :]), flush=True)
    return figures


async def bench(quick: bool) -> list[Figure]:
    """Latency of a step submission through the API vs a raw Update, at concurrency 1 and 50."""
    plan = [(1, 20), (50, 50)] if quick else [(1, 50), (50, 100)]  # per series and round
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
                api_process(client, url, queue) as base,
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
