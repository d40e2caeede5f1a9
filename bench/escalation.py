"""Benchmark 4: escalation punctuality. N obligations due within one 10-second window escalate
through ``workflows.engine.Obligations``; lateness of the escalation activity (p50/p99/max),
missed deadlines and the process RSS while they wait — against N bare workflows that sleep to
the same instants and run one empty activity, on the same dev server in the same run.

The worker runs in this process (RSS = worker + client); the window starts after all starts.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from activities.calendar import compute_deadline_activity
from bench import escalation_wf as wf
from bench.common import Figure, percentile
from bench.devserver import dev_server

WINDOW_S = 10.0
# After the window: an escalation not started by then counts as missed. It grows with N, so that
# at 10,000 a server that is slow but keeps up shows as lateness, not as misses.
GRACE_MIN_S = 60.0
GRACE_PER_CASE_S = 0.06


def grace_s(n: int) -> float:
    """Seconds after the window closes during which an escalation still counts (not missed)."""
    return max(GRACE_MIN_S, GRACE_PER_CASE_S * n)


def rss_mb() -> float:
    """This process's current resident set size (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _start_all(
    client: Client, kind: str, queue: str, n: int, margin: float
) -> tuple[datetime, str]:
    """Start N workflows with deadlines spread over the window that opens ``margin`` s from now."""
    workflow = wf.BenchEscalationWorkflow.run if kind == "engine" else wf.BenchBareWorkflow.run
    window = datetime.now(UTC) + timedelta(seconds=margin)
    gate = asyncio.Semaphore(64)
    batch = uuid.uuid4().hex[:6]

    async def start(i: int) -> None:
        deadline = window + timedelta(seconds=WINDOW_S * i / n)
        async with gate:
            await client.start_workflow(
                workflow, deadline, id=f"{kind}-{batch}-{i}", task_queue=queue
            )

    await asyncio.gather(*(start(i) for i in range(n)))
    return window, f"{kind}-{batch}-"


async def start_seconds(client: Client, queue: str) -> float:
    """Seconds per workflow start on this server now (64 bare workflows due at once)."""
    began = time.perf_counter()
    await _start_all(client, "bare", queue, 64, margin=0.0)
    return (time.perf_counter() - began) / 64


async def _phase(client: Client, kind: str, queue: str, n: int) -> dict[str, float]:
    # The window opens once every start is in (the calibrated rate, with a 50% allowance).
    margin = 3.0 + 1.5 * n * await start_seconds(client, queue)
    await asyncio.sleep(3)  # the calibration's own workflows finish first
    wf.LATENESS[kind].clear()
    began = time.perf_counter()
    window, prefix = await _start_all(client, kind, queue, n, margin=margin)
    starting_s = time.perf_counter() - began
    late_starts = datetime.now(UTC) > window
    peak_rss = rss_mb()
    end = window.timestamp() + WINDOW_S + grace_s(n)
    values: list[float] = []
    while len(values) < n and time.time() < end:
        await asyncio.sleep(0.25)
        peak_rss = max(peak_rss, rss_mb())
        values = [v for k, v in wf.LATENESS[kind].items() if k.startswith(prefix)]
    return {
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "max": max(values, default=0.0),
        "missed": float(n - len(values)),
        "rss": peak_rss,
        "starting_s": starting_s,
        "late_starts": float(late_starts),
    }


async def run_counts(counts: list[int], runs: int) -> list[Figure]:
    """For each N: ``runs`` alternating bare/engine phases on one server and worker."""
    figures: list[Figure] = []
    async with dev_server() as client:
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        worker = Worker(
            client,
            task_queue=queue,
            workflows=[wf.BenchEscalationWorkflow, wf.BenchBareWorkflow],
            activities=[wf.record_escalation, wf.record_bare, compute_deadline_activity],
            activity_executor=ThreadPoolExecutor(4),
        )
        async with worker:
            for n in counts:
                bare = [await _phase(client, "bare", f"{queue}", n) for _ in range(runs)]
                ours = [await _phase(client, "engine", f"{queue}", n) for _ in range(runs)]
                figures += _figures(n, ours, bare)
                queue_note = (
                    " (starting took longer than the margin)"
                    if any(r["late_starts"] for r in ours + bare)
                    else ""
                )
                figures[-1].note += queue_note
    return figures


def _figures(n: int, ours: list[dict[str, float]], bare: list[dict[str, float]]) -> list[Figure]:
    label = f"escalation {n:,}"
    missed = f"missed: engine {sum(r['missed'] for r in ours):.0f}, bare "
    missed += f"{sum(r['missed'] for r in bare):.0f}"
    start_s = max(r["starting_s"] for r in ours + bare)
    figures = [
        Figure(label, f"lateness {key}", "s", [r[key] for r in ours], [r[key] for r in bare])
        for key in ("p50", "p99", "max")
    ]
    figures[0].note = missed
    figures.append(
        Figure(
            label,
            "process RSS while waiting",
            "MB",
            [r["rss"] for r in ours],
            [r["rss"] for r in bare],
            f"worker+client in one process; starting N took up to {start_s:.1f} s",
        )
    )
    return figures


async def bench(quick: bool) -> list[Figure]:
    """200 (quick) or 1,000 and 10,000 obligations (two runs of 1,000, one of 10,000)."""
    if quick:
        return await run_counts([200], 1)
    return await run_counts([1_000], 2) + await run_counts([10_000], 1)
