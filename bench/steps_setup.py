"""Setting up the step bench: real cases waiting at their first step, each one's submission,
the API in its own process (``bench.steps`` times them), and its BENCH_PROFILE probes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from asyncio.subprocess import DEVNULL
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from temporalio.client import Client

from domain import names
from domain.acknowledgment import POLICY_VERSION
from domain.calendar import BusinessCalendar, CalendarConfig
from domain.cases import CaseState
from domain.periodic import MarkReviewed
from infra.starters import start_review
from infra.tokens import mint_token
from store.tables import Case
from tests.api_support import attribution_for
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.fixtures.mail import free_port
from tests.workflow_support import actor

SECRET = "bench-token-secret-0123456789abcdef0123456789"
DOCS = ["daily-review", "report-chronology", "triage-note-history", "risk-classification-source"]


async def open_cases(client: Client, sessions: Any, queue: str, count: int) -> list[str]:
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


def fields_for(state: CaseState) -> dict[str, Any]:
    """Step 2's fields agreeing with the case's computed values, as the API tests submit them."""
    return attribution_for(state.computed["triage-attribution"], note="bench")


async def prepare(
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
        return fields_for(state)

    return list(await asyncio.gather(*(one(case_id) for case_id in case_ids)))


@asynccontextmanager
async def api_process(client: Client, url: str, queue: str) -> AsyncIterator[str]:
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


@contextmanager
def profiled(label: str) -> Iterator[None]:
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
