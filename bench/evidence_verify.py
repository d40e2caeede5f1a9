"""Benchmark: the evidence pack's register verification (``api.evidence_registers``) on a schema
``bench.reads_packs`` generated: as the records are left, after N entries appended to the
longest register (only those are checked now), again with nothing new, and with the records
deleted (nothing read: a pack no longer verifies in full, it asks for a full verification).
Appends entries: run it on a schema of your own.

``BENCH_PACKS_SCHEMA=SCHEMA python -m bench.evidence_verify [N=1000]``
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, text

from api.evidence_registers import registers_section
from bench.common import load_average, schema_url
from bench.reads_packs import CALENDAR, NOW, TODAY
from store.db import make_engine, make_sessionmaker
from store.evidence import Scope
from store.pack_common import window
from store.registers import append_entry
from store.tables import RegisterHead


async def main(schema: str, n: int) -> None:
    engine = make_engine(schema_url(schema))
    sessions = make_sessionmaker(engine)
    scope = Scope(window(TODAY - timedelta(days=90), TODAY + timedelta(days=1), CALENDAR), None)
    request: Any = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace()))

    async def pack(label: str) -> None:
        began = time.perf_counter()
        async with sessions() as s, s.begin():  # committed: the next pack continues from it
            sec = await registers_section(s, request, scope, NOW)
        took = time.perf_counter() - began
        rows = next(b["rows"] for b in sec["blocks"] if b.get("title") == "Registers")
        checked = sum(int(r[4]) for r in rows)
        print(f"{label}: {took * 1000:.0f} ms, entries checked now {checked:,}, "
              f"load {load_average()}", flush=True)  # fmt: skip

    try:
        await pack("records as left")
        async with sessions() as s, s.begin():
            name = await s.scalar(select(RegisterHead.register).order_by(RegisterHead.seq.desc()))
            for i in range(n):
                await append_entry(
                    s, str(name), actor="E-0002", recorded_at=NOW, subject=f"bench-{i}",
                    kind="bench_note", payload={"n": i},
                )  # fmt: skip
        print(f"appended {n} entries to {name}", flush=True)
        await pack(f"{n} new")
        await pack("0 new")
        async with sessions() as s, s.begin():
            await s.execute(text("DELETE FROM register_verifications"))
        await pack("none recorded (nothing read; a full one is asked for)")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(os.environ["BENCH_PACKS_SCHEMA"], int((sys.argv[1:] or ["1000"])[0])))
