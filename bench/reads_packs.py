"""Benchmark: a pack and the evidence pack of a quarter at a provider group's size, beside the
bare SQL returning the same rows (``bench.pack_data`` on top of the read path's data).

Reads, each ours (the store functions the API answers from, in-process, a session per read on
pooled connections) against
bare asyncpg statements for the same rows, alternating; the figures each side counts (reviews,
items, cases, breaches, late steps, …) are compared and must be equal:

- each kind's current (unpublished) pack viewed (``api.routers.packs.load_pack``'s work:
  ``store.packs.view``);
- each kind's current period built (what a view after a change rebuilds) and its last finished
  one (what publication builds: ``store.packs.content``);
- a published pack read;
- the evidence pack of the last 90 days (its sections as ``api.routers.evidence.build``
  assembles them, Temporal's anchor left out), and its register verification alone: first the
  full verification a pack no longer runs (every entry's signature, linear: the workflow's
  activity, ``store.register_checks.verify_in_full`` per register) beside the bare read of every
  entry, then the pack after that recorded full verification (only the entries added since).

``python -m bench.reads_packs CASES [ROUNDS=3] [REPS=5]`` (20000 for the 1/10 size; 200000 is
the issue's). ROUNDS=0 generates only; ``BENCH_PACKS_SCHEMA=SCHEMA`` measures a schema generated
before; ``BENCH_PACKS_VERIFY=0`` leaves the register verification out. Figures print as a
Markdown table with the load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.pool import NullPool

from bench import analytics_data, pack_data, read_data, register_data
from bench.common import Figure, admin, drop_schema, load_average, new_schema, percentile
from bench.pack_bare import bare_evidence, bare_pack, bare_registers, evidence_counts, pack_counts
from domain import names
from domain.calendar import CalendarConfig, calendar_for
from domain.pack_periods import label_of, period_bounds
from domain.packs import PACKS
from store.db import make_engine, make_sessionmaker
from store.packs import awaiting_cases, content, create_pack, get_pack, publish, view

CALENDAR = calendar_for(CalendarConfig())
NOW = read_data.NOW
TODAY = NOW.date()


def periods(kind: str) -> tuple[str, str]:
    """(the current period, the last finished one) of ``kind`` as of the bench's now."""
    if kind == names.PACK_WEEKLY:
        first = TODAY - timedelta(days=TODAY.weekday())
        return label_of(kind, first), label_of(kind, first - timedelta(days=7))
    if kind == names.PACK_MONTHLY:
        first = TODAY.replace(day=1)
        return label_of(kind, first), label_of(kind, (first - timedelta(days=1)).replace(day=1))
    first = pack_data.ANCHOR + timedelta(days=14 * ((TODAY - pack_data.ANCHOR).days // 14))
    return label_of(kind, first), label_of(kind, first - timedelta(days=14))


async def setup(cases: int) -> tuple[str, str, float]:
    schema, url = await new_schema("packs")
    began = time.perf_counter()
    await read_data.generate(schema, cases, 25)
    await analytics_data.generate(schema, 5 * cases)
    await register_data.generate(schema, 10 * cases, cases // 2)
    print("pack data:", await pack_data.generate(schema, cases, 5 * cases), flush=True)
    await packs(url)
    return schema, url, time.perf_counter() - began


async def packs(url: str) -> None:
    """Per kind: every period of the last year published (built by the product for the last
    finished one, its content copied to the earlier ones), the current one generated."""
    engine = make_engine(url, poolclass=NullPool)
    sessions = make_sessionmaker(engine)
    try:
        for kind, spec in PACKS.items():
            current, last = periods(kind)
            async with sessions() as s, s.begin():
                ids = await awaiting_cases(s, spec, last, CALENDAR, pack_data.ANCHOR)
                pack = await create_pack(s, spec, last, ids, NOW, CALENDAR, pack_data.ANCHOR)
                await publish(s, spec, pack, ids, "E-0002", NOW, CALENDAR, pack_data.ANCHOR)
                first = period_bounds(kind, last, pack_data.ANCHOR).first
                for n in range(1, 53 if kind == names.PACK_WEEKLY else 13):
                    step = {names.PACK_WEEKLY: 7, names.PACK_FORTNIGHTLY: 14}.get(kind, 30)
                    label = label_of(kind, first - timedelta(days=step * n))
                    if kind == names.PACK_MONTHLY:
                        label = label[:8]
                    s.add(type(pack)(kind=kind, period=label, status="published",
                                     generated_at=NOW, published_by="E-0002", published_at=NOW,
                                     case_ids=[], content=pack.content))  # fmt: skip
            async with sessions() as s, s.begin():
                ids = await awaiting_cases(s, spec, current, CALENDAR, pack_data.ANCHOR)
                await create_pack(s, spec, current, ids, NOW, CALENDAR, pack_data.ANCHOR)
    finally:
        await engine.dispose()


async def measure(url: str, schema: str, reps: int) -> dict[str, tuple[list[float], list[float]]]:
    """Each read ``reps`` times, ours and bare alternately; counts checked equal once."""
    engine = make_engine(url)  # pooled: each read reuses a connection, as the API does
    sessions = make_sessionmaker(engine)
    connection = await admin()
    await connection.execute(f'SET search_path TO "{schema}"')
    out: dict[str, tuple[list[float], list[float]]] = {}
    try:
        for kind in PACKS:
            current, last = periods(kind)
            for label, period, viewed in (
                ("view, current", current, True),
                ("build, current (a view after a change)", current, False),
                ("build, last", last, False),
            ):
                name = f"{kind} {label} ({period})"
                print(name, flush=True)
                out[name] = await _pack_pair(sessions, connection, kind, period, viewed, reps)

        async def published() -> dict[str, int]:
            async with sessions() as s:
                pack = await get_pack(s, names.PACK_WEEKLY, periods(names.PACK_WEEKLY)[1])
                assert pack is not None and pack.published_at is not None
                return {"cases": len(pack.case_ids)}

        async def published_bare() -> dict[str, int]:
            row = await connection.fetchrow(
                "SELECT * FROM packs WHERE kind = $1 AND period = $2",
                names.PACK_WEEKLY, periods(names.PACK_WEEKLY)[1],
            )  # fmt: skip
            import json

            return {"cases": len(json.loads(row["case_ids"]))}

        out["published weekly pack read"] = await _pair(published, published_bare, reps)
        out.update(await evidence_reads(sessions, connection, reps))
    finally:
        await connection.close()
        await engine.dispose()
    return out


async def _pack_pair(
    sessions: Any, connection: Any, kind: str, period: str, viewed: bool, reps: int
) -> tuple[list[float], list[float]]:
    """A pack viewed (``store.packs.view``) or built (as publication builds it), against
    ``bench.pack_bare.bare_pack``."""
    spec = PACKS[kind]

    async def ours() -> dict[str, int]:
        async with sessions() as s, s.begin():
            if viewed:
                pack = await get_pack(s, kind, period)
                assert pack is not None
                await view(s, spec, pack, NOW, CALENDAR, pack_data.ANCHOR)
                return pack_counts(pack.content)
            ids = await awaiting_cases(s, spec, period, CALENDAR, pack_data.ANCHOR)
            doc = await content(s, spec, period, ids, NOW, CALENDAR, pack_data.ANCHOR)
            return pack_counts(doc)

    async def bare() -> dict[str, int]:
        return await bare_pack(connection, kind, period, CALENDAR, pack_data.ANCHOR)

    return await _pair(ours, bare, reps)


async def evidence_reads(sessions: Any, connection: Any, reps: int) -> dict[str, Any]:
    """The evidence pack of the last 90 days as ``api.routers.evidence.build`` assembles it
    (Temporal's anchor left out): its sections, then its register verification alone, after
    a full verification as the workflow's activity runs it."""
    from api.evidence_registers import registers_section
    from store.evidence import Scope, closure_credibility, example_sections, learning_visible
    from store.evidence_more import chronologies, trends
    from store.pack_common import window
    from store.register_checks import verify_in_full
    from store.tables import RegisterHead

    end = TODAY
    start = end - timedelta(days=90)
    scope = Scope(window(start, end + timedelta(days=1), CALENDAR), None)
    request: Any = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace()))

    async def ours() -> dict[str, int]:
        async with sessions() as s:
            sections = await example_sections(s, scope, NOW)
            sections += [await learning_visible(s, scope), await closure_credibility(s, scope)]
            sections += [await trends(s, scope, start, end)]
            sections += [await chronologies(s, scope, start, end)]
        return evidence_counts({"sections": sections})

    async def bare() -> dict[str, int]:
        return await bare_evidence(connection, start, end, CALENDAR, registers=False)

    async def verified() -> dict[str, int]:
        async with sessions() as s, s.begin():  # committed: the next pack continues from it
            sec = await registers_section(s, request, scope, NOW)
        rows = next(b["rows"] for b in sec["blocks"] if b.get("title") == "Registers")
        print(f"    entries checked now: {sum(int(r[4]) for r in rows):,}", flush=True)
        return evidence_counts({"sections": [sec]})

    async def read() -> dict[str, int]:
        return {"register entries": await bare_registers(connection)}

    name = f"evidence pack {start} to {end}"
    found = {f"{name}, without register verification": await _pair(ours, bare, reps)}
    if os.environ.get("BENCH_PACKS_VERIFY", "1") != "0":  # minutes at full size: linear
        # A pack never verifies in full: the workflow's activity does (store.register_checks.
        # verify_in_full per register, timed here as it runs there); the packs after it check
        # only the entries added since.
        async with sessions() as s, s.begin():
            await s.execute(text("DELETE FROM register_verifications"))

        async def in_full() -> dict[str, int]:
            async with sessions() as s:
                registers = list(await s.scalars(select(RegisterHead.register)))
            entries = 0
            for register in registers:
                async with sessions() as s, s.begin():
                    entries += (await verify_in_full(s, register, at=NOW)).entries
            return {"register entries": entries}

        found[f"{name}, full verification (the workflow's activity), none recorded"] = await _pair(
            in_full, read, 1
        )  # then only the entries added since (none): bench.evidence_verify appends some
        found[f"{name}, register verification after it"] = await _pair(verified, read, reps)
    return found


async def _pair(ours: Any, bare: Any, reps: int) -> tuple[list[float], list[float]]:
    mine: list[float] = []
    base: list[float] = []
    for n in range(reps):
        began = time.perf_counter()
        got = await ours()
        mine.append(time.perf_counter() - began)
        began = time.perf_counter()
        want = await bare()
        base.append(time.perf_counter() - began)
        if n == 0 and got != want:
            print(f"COUNTS DIFFER: ours {got}\n               bare {want}", flush=True)
    if mine:
        print(
            f"  {statistics.median(mine) * 1000:.1f} / {statistics.median(base) * 1000:.1f} ms "
            f"(load {load_average()}) {sorted(got.items())[:3]}",
            flush=True,
        )
    return mine, base


def _report(rounds: list[dict[str, tuple[list[float], list[float]]]]) -> None:
    print("| read | ours p50 | bare p50 | ours p95 | bare p95 | target (p50) |")
    print("|---|---|---|---|---|---|")
    for name in rounds[0]:
        cells = []
        for side in (0, 1):
            for p in (50, 95):
                values = [percentile(r[name][side], p) * 1000 for r in rounds]
                cells.append((statistics.median(values), min(values)))
        ours50, bare50 = cells[0][0], cells[2][0]
        met = "met" if ours50 <= max(2 * bare50, bare50 + 25) else "**missed**"
        shown = [f"{m:.1f} [{n:.1f}]" for m, n in (cells[0], cells[2], cells[1], cells[3])]
        print(f"| {name} | {' | '.join(shown)} | {met} ({ours50 / bare50:.2f}x) |")


async def bench(quick: bool) -> list[Figure]:
    """``python -m bench packs``: one round at 20k cases (quick) or 200k, in milliseconds."""
    cases = 20_000 if quick else 200_000
    schema, url, _ = await setup(cases)
    try:
        found = await measure(url, schema, 3)
    finally:
        await drop_schema(schema)
    return [
        Figure("packs", name, "ms", [v * 1000 for v in ours], [v * 1000 for v in bare],
               f"bare SQL baseline; load {load_average()}")
        for name, (ours, bare) in found.items()
    ]  # fmt: skip


async def main(cases: int, rounds: int = 3, reps: int = 5) -> None:
    print(f"load {load_average()}: generating {cases} cases", flush=True)
    schema = os.environ.get("BENCH_PACKS_SCHEMA")
    if schema:
        from bench.common import schema_url

        url = schema_url(schema)
    else:
        schema, url, seconds = await setup(cases)
        print(f"schema {schema}: generated in {seconds:.0f} s", flush=True)
    if not rounds:  # generate only: measure later with BENCH_PACKS_SCHEMA
        return
    results = []
    for n in range(rounds):
        print(f"round {n + 1}, load {load_average()}", flush=True)
        results.append(await measure(url, schema, reps))
    print(f"load at the end {load_average()}")
    _report(results)


if __name__ == "__main__":
    import asyncio

    asyncio.run(main(*(int(a) for a in sys.argv[1:])))
