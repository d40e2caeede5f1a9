"""``python -m bench.sizes {ack|learning|credibility} SIZE [RUNS]``: one review benchmark at one
size (ours against DuckDB on the same rows, same run), with the load average before and after.

Each invocation loads its rows into a fresh schema of the bench database
(``NEARMISS_BENCH_DB``, default ``bench``) and drops it at the end. For ``ack`` (1M loads for
minutes): ``--keep`` leaves the schema (``RUNS`` 0: load only) and ``--schema NAME`` measures
the rows a kept schema holds without loading them again.
"""

from __future__ import annotations

import argparse
import asyncio
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
    parser = argparse.ArgumentParser(prog="python -m bench.sizes", description=__doc__)
    parser.add_argument("name", choices=list(SIZES))
    parser.add_argument("size", type=int)
    parser.add_argument("runs", type=int, nargs="?", default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--schema")
    args = parser.parse_args()
    name, size, runs = args.name, args.size, args.runs
    began = time.strftime("%H:%M:%S")
    print(f"{name} {size:,} x{runs}: start {began}, load {load_average()}", flush=True)
    if args.keep or args.schema:
        figures = asyncio.run(review.bench_size(size, runs, args.schema, args.keep))
    else:
        figures = asyncio.run(SIZES[name](size, runs))
    print(table(figures))
    print(f"end {time.strftime('%H:%M:%S')}, load {load_average()}", flush=True)


if __name__ == "__main__":
    main()
