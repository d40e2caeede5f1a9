"""Each evidence-pack section of the last 90 days timed alone on a ``bench.reads_packs`` schema,
with the statements it ran (their count, their time, the slowest): where the pack's time goes.

``BENCH_PACKS_SCHEMA=SCHEMA python -m bench.evidence_sections [REPS=5]``. Figures print one line
per section (p50 and min of REPS, each in a fresh session) and its statements' share.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bench.common import load_average, schema_url
from bench.reads_packs import CALENDAR, NOW, TODAY
from store.db import make_engine, make_sessionmaker
from store.evidence import Scope, closure_credibility, example_sections, learning_visible
from store.evidence_more import chronologies, trends
from store.pack_common import window

Section = Callable[[Any], Awaitable[Any]]


def sections(scope: Scope, start: Any, end: Any) -> dict[str, Section]:
    found: dict[str, Section] = {"examples 1-3": lambda s: example_sections(s, scope, NOW)}
    found["learning made visible"] = lambda s: learning_visible(s, scope)
    found["closure credibility"] = lambda s: closure_credibility(s, scope)
    found["trends"] = lambda s: trends(s, scope, start, end)
    found["chronologies"] = lambda s: chronologies(s, scope, start, end)
    return found


async def main(reps: int = 5) -> None:
    engine = make_engine(schema_url(os.environ["BENCH_PACKS_SCHEMA"]))
    sessions = make_sessionmaker(engine)
    ran: list[tuple[float, str]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _began(conn: Any, *_: Any) -> None:
        conn.info["began"] = time.perf_counter()

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _ended(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        ran.append((time.perf_counter() - conn.info["began"], " ".join(statement.split())[:90]))

    end = TODAY
    start = end - timedelta(days=90)
    scope = Scope(window(start, end + timedelta(days=1), CALENDAR), None)
    print(f"load {load_average()}")
    try:
        for name, section in sections(scope, start, end).items():
            took = []
            for _ in range(reps):
                ran.clear()
                async with sessions() as session:
                    began = time.perf_counter()
                    await section(session)
                    took.append(time.perf_counter() - began)
            slowest, spent = max(ran), sum(t for t, _ in ran) * 1000
            print(f"{name}: p50 {statistics.median(took) * 1000:.1f} ms, min "
                  f"{min(took) * 1000:.1f}; {len(ran)} statements, {spent:.1f} ms in them; "
                  f"slowest {slowest[0] * 1000:.1f} ms: {slowest[1]}")  # fmt: skip
    finally:
        await engine.dispose()
    print(f"load {load_average()}")


if __name__ == "__main__":
    asyncio.run(main(*(int(a) for a in sys.argv[1:])))
