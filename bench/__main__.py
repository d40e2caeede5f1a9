"""``python -m bench [review|ingest|steps|counts|escalation|startup|reads|verify|packs]
[--quick]``: run the benchmarks and print one table (median [min - max] of several runs, the
baseline's, their ratio).

Benchmarks are not tests: nothing here asserts a time. Needs PostgreSQL on 127.0.0.1:5432
(database ``bench``, created on first use) and the venv's ``temporal`` binary.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from collections.abc import Awaitable, Callable

from bench import (
    escalation,
    ingest,
    reads,
    reads_packs,
    reads_verify,
    review,
    startup,
    step_counts,
    steps,
)
from bench.common import Figure, load_average, table

Bench = Callable[[bool], Awaitable[list[Figure]]]


BENCHES: dict[str, Bench] = {
    "review": review.bench,
    "ingest": ingest.bench,
    "steps": steps.bench,
    "counts": step_counts.bench,
    "escalation": escalation.bench,
    "startup": startup.bench,
    "reads": reads.bench,
    "verify": reads_verify.bench,
    "packs": reads_packs.bench,
}


async def _run(names: list[str], quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        began = time.perf_counter()
        print(f"{name}: running (load average {load_average()})", flush=True)
        figures += await BENCHES[name](quick)
        print(f"{name}: done in {time.perf_counter() - began:.0f} s", flush=True)
    return figures


def main() -> None:
    """Parse arguments, run the chosen benchmarks, print the table and the machine notes."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "name", nargs="?", choices=list(BENCHES), help="one benchmark (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer runs")
    args = parser.parse_args()
    names = [args.name] if args.name else list(BENCHES)
    figures = asyncio.run(_run(names, args.quick))
    print()
    print(table(figures))
    print()
    print(f"python {platform.python_version()} on {platform.machine()}; load {load_average()}")


if __name__ == "__main__":
    main()
