"""A register as the tests grow and tamper with it, and `nearmiss` run as a reader runs it."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from store import tables
from store.db import transaction
from store.registers import append_entry
from tests.factories import case_row
from tests.fault_support import NEARMISS
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.fixtures.mail import free_port

REGISTER = "near-miss-reliability-case-register"


async def append_entries(sessions, n: int) -> None:
    async with transaction(sessions) as session:
        for i in range(n):
            await append_entry(
                session,
                REGISTER,
                actor="E-SUPERVISOR",
                recorded_at=datetime(2026, 11, 26, 10, i, tzinfo=UTC),
                subject=f"ack-case-NM-{i}",
                kind="triage_attribution",
                payload={"n": i},
            )


async def cut_back_to(sessions, seq: int) -> None:
    """What a database writer can do without the key: drop the tail, move the head back."""
    async with transaction(sessions) as session:
        kept = await session.scalar(
            select(tables.RegisterEntry).where(tables.RegisterEntry.seq == seq)
        )
        await session.execute(delete(tables.RegisterEntry).where(tables.RegisterEntry.seq > seq))
        await session.execute(
            update(tables.RegisterHead).values(seq=seq, hash=kept.hash, signature=kept.signature)
        )


async def run_nearmiss(url: str, *args: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "NEARMISS_ENV": "development",
        "NEARMISS_DATABASE_URL": url,
        "NEARMISS_SIGNING_KEY": TEST_SIGNING_KEY,
        "NEARMISS_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # nothing there
    }
    process = await asyncio.create_subprocess_exec(
        NEARMISS, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def append_page_entries(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    """Three entries (the first about a stored case); their hashes in order."""
    hashes = []
    async with transaction(sessions) as session:
        session.add(case_row("ack-case-NM-0", "W-100"))
        for n in range(3):
            entry = await append_entry(
                session,
                REGISTER,
                actor="E-SUPERVISOR",
                recorded_at=datetime(2026, 11, 26, 10, n, tzinfo=UTC),
                subject=f"ack-case-NM-{n}",
                kind="triage_attribution",
                payload={"n": n},
            )
            hashes.append(entry.hash)
    return hashes
