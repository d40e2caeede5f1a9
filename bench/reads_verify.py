"""Benchmark: register verification at size, and what the registers page does per view.

For a signed chain of VERIFIED entries among VERIFIED × FACTOR register entries
(``bench.register_data``, PostgreSQL, COPY) and for 1/100 of it: rows/s and peak traced memory of
a full verification — the verifier before this session (ORM rows, as ``store.register_verify``
was at ac3429e: the same checks per row) beside today's (plain rows streamed in batches), the
bare read (asyncpg cursor) and one Ed25519 check per entry alone (the floor) — and the
registers page's verification work per view: before, every chain verified in full; now, the
recorded verification continued through the entries added since (none, and 100 new ones).
Alternating, in one run; load averages printed with each figure.

``python -m bench.reads_verify [VERIFIED] [FACTOR]`` (defaults 100000 and 20).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.pool import NullPool

from bench import register_data
from bench.common import Figure, admin, drop_schema, load_average, new_schema
from config.settings import DEV_SIGNING_KEY
from store import register_verify as rv
from store import tables
from store.db import make_engine, make_sessionmaker
from store.register_checks import check_new_entries, recorded, verify_in_full
from store.registers import GENESIS, append_entry, hashed_fields
from store.signing import head_signature_ok, signing_key

NAME = register_data.VERIFIED


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _problem_before(row: Any, prev: str, public: Any) -> str | None:
    """``_row_problem`` as it was: ``json.dumps`` (a new encoder per call) for both digests."""
    if row.prev_hash != prev:
        return "not linked to the previous entry"
    if hashlib.sha256((row.payload_salt + _dumps(row.payload)).encode()).hexdigest() != (
        row.payload_digest
    ):
        return "payload does not match its digest"
    fields = _dumps(hashed_fields(row))
    if row.hash != hashlib.sha256((prev + fields).encode()).hexdigest():
        return "hash does not match the entry's fields"
    if not head_signature_ok(public, row.register, row.seq, row.hash, row.signature):
        return "signature is not the service's"
    return None


async def verify_before(session: Any, register: str) -> rv.ChainVerification:
    """The verifier as it was at ac3429e (ORM rows one at a time, ``populate_existing``, a new
    JSON encoder per digest), the same checks per row (no erased entries in this data)."""
    public = rv.service_public_key(session)
    count, prev = 0, GENESIS
    result = await session.stream_scalars(
        select(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == register)
        .order_by(tables.RegisterEntry.seq)
        .execution_options(yield_per=1000, populate_existing=True)
    )
    async for row in result:
        count += 1
        problem = "entry missing or out of order" if row.seq != count else None
        problem = problem or _problem_before(row, prev, public)
        if problem:
            return rv.ChainVerification(register, count, False, count, problem)
        prev = row.hash
    return rv.ChainVerification(register, count, True, hash=prev)


async def _bare(schema: str) -> int:
    connection = await admin()
    try:
        await connection.execute(f'SET search_path TO "{schema}"')
        count = 0
        sql = "SELECT * FROM register_entries WHERE register = $1 ORDER BY seq"
        async with connection.transaction():
            async for _ in connection.cursor(sql, NAME, prefetch=1000):
                count += 1
        return count
    finally:
        await connection.close()


async def _signatures_alone(n: int) -> int:
    key = signing_key(DEV_SIGNING_KEY)
    public, signature = key.public_key(), key.sign(b"x").hex()
    for seq in range(n):
        head_signature_ok(public, NAME, seq, "0" * 64, signature)
    return n


Timings = dict[str, list[tuple[float, float]]]  # label: [(wall s, this process's CPU s)]


async def _timed(
    out: Timings, label: str, run: Callable[[], Awaitable[int]], rows: int, *, rate: bool = True
) -> None:
    began, cpu = time.perf_counter(), time.process_time()
    got = await run()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    per = f", {rows / seconds:,.0f} rows/s, CPU {cpu / rows * 1e6:,.0f} µs/row" if rate else ""
    print(f"  {label}: {seconds * 1000:,.0f} ms{per}  [load {load_average()}]", flush=True)
    assert got == rows, (label, got, rows)
    out.setdefault(label, []).append((seconds, cpu))


async def _peak_mb(
    sessions: Any, verify: Callable[[Any, str], Awaitable[rv.ChainVerification]]
) -> float:
    async with sessions() as session:
        tracemalloc.start()
        try:
            await verify(session, NAME)
            return tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()


async def _append(sessions: Any, n: int) -> None:
    async with sessions() as session, session.begin():
        for i in range(n):
            await append_entry(
                session, NAME, actor="E-BENCH", recorded_at=datetime.now(UTC),
                subject=f"new-{i}", kind="step", payload={"n": i},
            )  # fmt: skip


async def size(verified: int, factor: int, reps: int) -> Timings:
    """Every figure at one size."""
    out: Timings = {}
    schema, url = await new_schema("verify")
    began = time.perf_counter()
    await register_data.generate(schema, verified * factor, verified)
    took = time.perf_counter() - began
    print(f"{verified:,} signed of {verified * factor:,} entries: generated in {took:.0f} s")
    engine = make_engine(url, poolclass=NullPool)
    sessions = make_sessionmaker(engine)

    async def ours(verify: Callable[..., Awaitable[rv.ChainVerification]]) -> int:
        async with sessions() as session:
            result = await verify(session, NAME)
        assert result.ok, result
        return result.entries

    try:
        for _ in range(reps):
            await _timed(out, "before (ORM rows)", lambda: ours(verify_before), verified)
            await _timed(out, "now (plain rows)", lambda: ours(rv.verify_chain), verified)
            await _timed(out, "bare read", lambda: _bare(schema), verified)
            await _timed(out, "Ed25519 checks alone", lambda: _signatures_alone(verified), verified)
        for label, verify in (("before", verify_before), ("now", rv.verify_chain)):
            peak = await _peak_mb(sessions, verify)
            print(f"  peak traced memory, {label}: {peak:.1f} MB")
        await _page(out, sessions, verified)
        await page_over_http(url, out)
    finally:
        await engine.dispose()
        await drop_schema(schema)
    return out


async def _page(out: Timings, sessions: Any, verified: int) -> None:
    """The page's verification work per view: before (every chain in full) and now."""
    async with sessions() as session, session.begin():
        await verify_in_full(session, NAME, at=datetime.now(UTC))  # the nightly run's record

    async def view() -> int:
        async with sessions() as session, session.begin():
            heads = await session.scalars(select(tables.RegisterHead))
            records, checked = await recorded(session), 0
            for head in heads.all():
                record = await check_new_entries(
                    session, head.register, at=datetime.now(UTC), before=records.get(head.register)
                )
                checked = record.verified_seq
            return checked

    async def before() -> int:
        async with sessions() as session:
            return (await rv.verify_chain(session, NAME)).entries

    await _timed(out, "page work before (every chain in full)", before, verified)
    await _timed(out, "page work now, no new entry", view, verified, rate=False)
    await _append(sessions, 100)
    await _timed(out, "page work now, 100 new entries", view, verified + 100, rate=False)
    await _timed(out, "page work now, again", view, verified + 100, rate=False)


async def page_over_http(url: str, out: Timings, reps: int = 3) -> None:
    """GET /app/registers as the inspector (development sign-in, the app in-process over ASGI,
    Temporal unreachable: no outside anchor), ``reps`` times."""
    from tests.factories import load, staff_rows  # noqa: PLC0415 - bench-only seeding
    from tests.fixtures.api import open_api  # noqa: PLC0415
    from tests.fixtures.mail import free_port  # noqa: PLC0415
    from tests.web_support import sign_in  # noqa: PLC0415

    engine = make_engine(url, poolclass=NullPool)
    try:
        await load(make_sessionmaker(engine), "staff-directory", staff_rows())
    finally:
        await engine.dispose()
    settings: dict[str, Any] = {
        "env": "development", "api_host": "127.0.0.1", "signing_key": DEV_SIGNING_KEY,
        "temporal_address": f"127.0.0.1:{free_port()}",
    }  # fmt: skip
    async with open_api(url, **settings) as api:
        await sign_in(api, "E-INSPECTOR")
        for _ in range(reps):

            async def get() -> int:
                page = await api.http.get("/app/registers", timeout=600)
                assert page.status_code == 200 and "Verified" in page.text, page.text[-500:]
                return 1

            await _timed(out, "GET /app/registers over HTTP", get, 1, rate=False)


async def bench(quick: bool) -> list[Figure]:
    """``python -m bench verify``: rows/s now against before, and the page's work per view."""
    verified = 10_000 if quick else 100_000
    got = await size(verified, 20, 1)

    def rate(label: str) -> list[float]:
        return [verified / wall for wall, _ in got[label]]

    def ms(label: str) -> list[float]:
        return [wall * 1000 for wall, _ in got[label]]

    note = f"{verified:,} signed entries of {20 * verified:,}"
    return [
        Figure("verify", "full verification", "rows/s", rate("now (plain rows)"),
               rate("before (ORM rows)"), note),
        Figure("verify", "registers page's checks per view", "ms",
               ms("page work now, no new entry"), ms("page work before (every chain in full)"),
               "none new; baseline: every chain in full"),
    ]  # fmt: skip


async def main(verified: int = 100_000, factor: int = 20) -> None:
    print(f"start, load {load_average()}")
    await size(verified // 100, factor, 3)
    await size(verified, factor, 1)
    print(f"end, load {load_average()}")


if __name__ == "__main__":
    asyncio.run(main(*(int(a) for a in sys.argv[1:])))
