"""The step bench's fair comparison: ours and the raw Update in alternating rounds, each series
started from idle (the previous series' follow-on work drained), ratios taken per round.

Run back to back, the second series shares the two cores with the first one's follow-on work
(the next step's values, mails, projections): whichever runs second is slowed. Here every
series waits until no workflow it touched has an activity or a workflow task pending, and the
order alternates (ours first in even rounds, raw first in odd ones), so neither side always
pays for the other.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from temporalio.client import Client

from bench.common import Figure, load_average, percentile

Series = Callable[[int], Awaitable[tuple[list[float], int, list[str]]]]
DRAIN_TIMEOUT = 300.0


async def _busy(client: Client, workflow_id: str) -> bool:
    raw = (await client.get_workflow_handle(workflow_id).describe()).raw_description
    return bool(raw.pending_activities) or raw.HasField("pending_workflow_task")


async def drained(client: Client, workflow_ids: Sequence[str]) -> float:
    """Wait until none of WORKFLOW_IDS has an activity or workflow task pending (seconds)."""
    began = time.perf_counter()
    gate = asyncio.Semaphore(10)

    async def busy(workflow_id: str) -> bool:
        async with gate:
            return await _busy(client, workflow_id)

    pending = list(workflow_ids)
    while pending:
        if time.perf_counter() - began > DRAIN_TIMEOUT:
            raise RuntimeError(f"{len(pending)} workflows still busy after {DRAIN_TIMEOUT} s")
        flags = await asyncio.gather(*(busy(w) for w in pending))
        pending = [w for w, flag in zip(pending, flags, strict=True) if flag]
        if pending:
            await asyncio.sleep(0.25)
    await asyncio.sleep(0.5)  # the worker's last acknowledgements
    return time.perf_counter() - began


@dataclass
class Round:
    """One round: each series' latencies (seconds; failures' included at their time to failure)
    and failures, and the load when it began."""

    load: str
    order: list[str]
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    drain_s: dict[str, float] = field(default_factory=dict)

    def ratio(self, series: str, p: float) -> float:
        base = percentile(self.latencies["raw"], p)
        return percentile(self.latencies[series], p) / base if base else 0.0


def rounds_wanted() -> int:
    """BENCH_STEPS_ROUNDS (default 4): rounds per concurrency."""
    return int(os.environ.get("BENCH_STEPS_ROUNDS", "4"))


async def run_rounds(
    client: Client, concurrency: int, series: dict[str, Series], rounds: int
) -> list[Round]:
    """ROUNDS rounds of every SERIES at CONCURRENCY, from idle, the order rotating each round.

    A series is called with the concurrency and returns its latencies, failures and the
    workflows it touched (drained before the next series starts).
    """
    names = list(series)
    out = []
    for n in range(rounds):
        order = names[n % len(names) :] + names[: n % len(names)]
        current = Round(load=load_average(), order=order)
        for name in order:
            latencies, failures, touched = await series[name](concurrency)
            current.latencies[name], current.failures[name] = latencies, failures
            current.drain_s[name] = await drained(client, touched)
        print(describe(concurrency, n, current), flush=True)
        out.append(current)
    return out


def describe(concurrency: int, n: int, r: Round) -> str:
    """One line per round: the order, p50/p99 of each series, the ratios, failures, load."""
    parts = [f"c={concurrency} round {n + 1} ({' then '.join(r.order)}; load {r.load}):"]
    for name in r.order:
        lat = r.latencies[name]
        parts.append(
            f"{name} p50 {percentile(lat, 50) * 1000:.0f} ms p99 {percentile(lat, 99) * 1000:.0f}"
            f" ms ({len(lat)} calls, {r.failures[name]} failed, drained in {r.drain_s[name]:.1f} s)"
        )
    for name in r.order:
        if name != "raw":
            parts.append(f"{name}/raw p50 {r.ratio(name, 50):.2f}x p99 {r.ratio(name, 99):.2f}x")
    return " ".join(parts)


def round_figures(concurrency: int, rounds: list[Round]) -> list[Figure]:
    """Per series: its per-round percentiles against raw's, and the per-round ratios."""
    figures = []
    for name in rounds[0].latencies:
        if name == "raw":
            continue
        failed = sum(r.failures[name] for r in rounds)
        raw_failed = sum(r.failures["raw"] for r in rounds)
        total = sum(len(r.latencies[name]) for r in rounds)
        note = f"{len(rounds)} rounds; {failed}/{total} failed (raw {raw_failed}), counted"
        for p in (50, 99):
            figures.append(
                Figure(
                    f"steps c={concurrency}",
                    f"{name} latency p{p}",
                    "ms",
                    [percentile(r.latencies[name], p) * 1000 for r in rounds],
                    [percentile(r.latencies["raw"], p) * 1000 for r in rounds],
                    note=note,
                )
            )
            ratios = [r.ratio(name, p) for r in rounds]
            target = "1.5" if p == 50 else "2"
            figures.append(
                Figure(
                    f"steps c={concurrency}",
                    f"{name}/raw p{p} per round",
                    "x",
                    ratios,
                    note=f"median {statistics.median(ratios):.2f}x; target <= {target}x; {note}",
                )
            )
    return figures
