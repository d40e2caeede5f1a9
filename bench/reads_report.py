"""The read-path bench's runs and tables: generate a size and 1/100 of it once, measure both in
``rounds`` rounds, print per read p50 and p95 (ms) over every round's samples together, ours
beside the bare query and the server's own time for the bare statements (EXPLAIN ANALYZE), the
target (2x the bare query or +25 ms, whichever is larger), the p95 ratio to 1/100 of the size
like for like (a page that returns fewer rows at 1/100 is measured at full size at that many
rows too), rows/s and peak memory for what is linear by nature, and the query plans
(EXPLAIN ANALYZE of the bare statements, at full size) of every read that misses.

``python -m bench.reads CASES [EVENTS_PER_CASE=25] [ROUNDS=3] [REGISTER_ENTRIES=10*CASES]``
(reports reviewed: 5 * CASES; the issue's size is ``python -m bench.reads 200000``).
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

from sqlalchemy.pool import NullPool

from bench import analytics_data, read_data, register_data
from bench.common import Figure, admin, drop_schema, load_average, new_schema, percentile
from bench.reads import Cursors, Read, Sample, deep_cursor, measure, reads
from store.breaches import BreachAfter
from store.db import make_engine, make_sessionmaker
from store.my_work import OwedAfter
from store.register_verify import verify_chain

OURS, BARE, SERVER = 0, 1, 3


async def _setup(cases: int, events: int, entries: int) -> tuple[str, str, float]:
    """``cases`` cases, ``5 * cases`` reports reviewed, ``entries`` register entries."""
    schema, url = await new_schema("reads")
    began = time.perf_counter()
    await read_data.generate(schema, cases, events)
    await register_data.generate(schema, entries, max(1, entries // 20))
    await analytics_data.generate(schema, 5 * cases)
    return schema, url, time.perf_counter() - began


async def verify_peak_mb(url: str) -> float:
    """Peak memory traced by Python while verifying the register once (untimed)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with make_sessionmaker(engine)() as session:
            tracemalloc.start()
            try:
                await verify_chain(session, register_data.VERIFIED)
                return tracemalloc.get_traced_memory()[1] / 2**20
            finally:
                tracemalloc.stop()
    finally:
        await engine.dispose()


async def explain(schema: str, read: Read) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a read's bare query."""
    connection = await admin()
    try:
        await connection.execute(f'SET search_path TO "{schema}"')
        plans = []
        for statement, args in ((read.sql, read.args), *read.statements):
            rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *args)
            plans.append("\n".join(row[0] for row in rows))
        return "\n\n".join(plans)
    finally:
        await connection.close()


def _p(rounds: list[dict[str, Sample]], name: str, side: int, p: float) -> float:
    """The ``p``th percentile of one side's samples over every round, in seconds."""
    return percentile([v for r in rounds if name in r for v in r[name][side]], p)


def _ms(value: float) -> str:
    return f"{value * 1000:.1f}"


def _like(got: dict[str, Any], name: str) -> list[dict[str, Sample]]:
    """Full-size samples at the rows 1/100 returns: its own pages if measured, else the big."""
    like: list[dict[str, Sample]] = got["like"]
    return like if any(name in r for r in like) else got["big"]


def _misses(got: dict[str, Any], read: Read) -> list[str]:
    found, big, name = [], got["big"], read.name
    for p in (50, 95):
        ours, bare = _p(big, name, OURS, p), _p(big, name, BARE, p)
        if ours > max(2 * bare, bare + 0.025):
            found.append(f"p{p} over target")
    size = _p(_like(got, name), name, OURS, 95) / _p(got["small"], name, OURS, 95)
    if not read.linear and size > 2:
        found.append(f"p95 {size:.1f}x its 1/100")
    return found


async def run(
    cases: int, events: int = 25, rounds: int = 3, entries: int | None = None
) -> dict[str, Any]:
    entries = entries if entries is not None else cases * 10
    out: dict[str, Any] = {"load": [load_average()], "big": [], "small": [], "like": []}
    small_schema, small_url, small_s = await _setup(cases // 100, events, entries // 100)
    big_schema, big_url, big_s = await _setup(cases, events, entries)
    out["load_s"] = (small_s, big_s)
    try:
        like: dict[str, int] = {}
        for _ in range(rounds):
            out["small"].append(await measure(small_url, small_schema, cases // 100))
            if not like:  # a page that is not full at 1/100: full size at as many rows too
                small = reads(cases // 100, await deep_cursor(small_schema, cases // 100))
                got = out["small"][0]
                like = {r.name: max(1, got[r.name][2][0]) for r in small
                        if r.limit and got[r.name][2][0] < r.limit}  # fmt: skip
            out["big"].append(await measure(big_url, big_schema, cases))
            if like:
                out["like"].append(await measure(big_url, big_schema, cases, like))
            out["load"].append(load_average())
        out["like_rows"] = like
        out["peak_mb"] = (await verify_peak_mb(small_url), await verify_peak_mb(big_url))
        out["plans"] = {}
        for read in reads(cases, await deep_cursor(big_schema, cases)):
            if _misses(out, read):
                out["plans"][read.name] = await explain(big_schema, read)
    finally:
        await drop_schema(small_schema)
        await drop_schema(big_schema)
    return out


def _row(got: dict[str, Any], read: Read) -> str:
    big, small, name = got["big"], got["small"], read.name
    rows, small_rows = big[0][name][2], small[0][name][2]
    like = _like(got, name)
    size = _p(like, name, OURS, 95) / _p(small, name, OURS, 95)
    server = _p(like, name, SERVER, 95) / _p(small, name, SERVER, 95)
    verdict = "; ".join(_misses(got, read)) or "met"
    if read.linear:
        rate = rows[0] / _p(big, name, OURS, 50)
        verdict += f" (linear: {rate:,.0f} rows/s, bare {rows[1] / _p(big, name, BARE, 50):,.0f})"
    else:
        verdict += f" (size ratio {size:.1f}x; server's {server:.1f}x)"
    at = f"; full size also at {got['like_rows'][name]}" if name in got["like_rows"] else ""
    cells = [
        f"{rows[0]:,} (bare {rows[1]:,}; 1/100: {small_rows[0]:,}{at})",
        *(_ms(_p(big, name, side, p)) for p in (50, 95) for side in (OURS, BARE, SERVER)),
        _ms(_p(like, name, OURS, 95)) if at else "as left",
        _ms(_p(small, name, OURS, 95)),
        _ms(_p(small, name, SERVER, 95)),
        verdict,
    ]
    return f"| {name} | " + " | ".join(cells) + " |"


async def main(cases: int, events: int = 25, rounds: int = 3, entries: int = 0) -> None:
    began = time.perf_counter()
    got = await run(cases, events, rounds, entries or None)
    print(
        f"{cases:,} cases, {events} events each, {entries or cases * 10:,} register entries and "
        f"1/100 of it; generated by COPY in {got['load_s'][1]:.0f} s (1/100: "
        f"{got['load_s'][0]:.0f} s); {rounds} rounds; load averages {' → '.join(got['load'])}; "
        f"{time.perf_counter() - began:.0f} s in all. Milliseconds over every round's samples; "
        "server = EXPLAIN ANALYZE execution time of the bare statements."
    )
    print(
        "| read | rows | ours p50 | bare p50 | server p50 | ours p95 | bare p95 | server p95 | "
        "ours p95, full size at 1/100's rows | ours p95 at 1/100 | server p95 at 1/100 | verdict |"
    )
    print("|---" * 12 + "|")
    names = Cursors((read_data.NOW, ""), OwedAfter(read_data.NOW, "", ""), {False: [], True: []},
                    BreachAfter(read_data.NOW, "", ""))  # fmt: skip
    for read in reads(cases, names):  # (for the names only)
        print(_row(got, read))
    peak_small, peak_big = got["peak_mb"]
    print(f"\nverify a register: peak traced memory {peak_small:.1f} MB at 1/100, {peak_big:.1f}")
    for name, plan in got["plans"].items():
        print(f"\nPlans of the bare statements of '{name}' at full size:\n{plan}")


async def figures(cases: int) -> list[Figure]:
    """The same, as ``python -m bench`` figures (p50 and p95 of each read, one round)."""
    got = await run(cases, rounds=1)
    out = []
    for name, (mine, bare, rows, _server) in got["big"][0].items():
        for p in (50, 95):
            out.append(
                Figure(
                    f"reads {cases // 1000}k cases",
                    f"{name} p{p}",
                    "ms",
                    [percentile(mine, p) * 1000],
                    [percentile(bare, p) * 1000],
                    f"{rows[0]} rows (bare {rows[1]})",
                )
            )
    return out
