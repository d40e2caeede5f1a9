"""``python -m bench.sizes {ack|learning|credibility} SIZE [RUNS]``: one review benchmark at one
size (ours against DuckDB on the same rows, same run), with the load average before and after.

Each invocation loads its rows into a fresh schema of the bench database
(``NEARMISS_BENCH_DB``, default ``bench``) and drops it at the end.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable

from bench import review, review_more
from bench.common import Figure, load_average, table

SIZES: dict[str, Callable[[int, int], Awaitable[list[Figure]]]] = {
    "ack": review.bench_size,
    "learning": lambda size, runs: review_more.bench_size("learning", size, runs),
    "credibility": lambda size, runs: review_more.bench_size("credibility", size, runs),
}


def main() -> None:
    name, size = sys.argv[1], int(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    began = time.strftime("%H:%M:%S")
    print(f"{name} {size:,} x{runs}: start {began}, load {load_average()}", flush=True)
    figures = asyncio.run(SIZES[name](size, runs))
    print(table(figures))
    print(f"end {time.strftime('%H:%M:%S')}, load {load_average()}", flush=True)


if __name__ == "__main__":
    main()
