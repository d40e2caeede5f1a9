"""A register as the tests grow and tamper with it, and `nearmiss` run as a reader runs it."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from domain import names
from domain.anchors import AnchorInput, AnchorState
from store import tables
from store.db import transaction
from store.registers import append_entry
from tests.factories import case_row
from tests.fault_support import NEARMISS
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.fixtures.mail import free_port
from tests.workflow_support import wait_for

REGISTER = "near-miss-reliability-case-register"


async def append_entries(sessions, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """N entries about cases ack-case-NM-0 … (payload {"n": i}); their hashes in order."""
    hashes = []
    async with transaction(sessions) as session:
        for i in range(n):
            entry = await append_entry(
                session,
                REGISTER,
                actor="E-SUPERVISOR",
                recorded_at=datetime(2026, 11, 26, 10, i, tzinfo=UTC),
                subject=f"ack-case-NM-{i}",
                kind="triage_attribution",
                payload={"n": i},
            )
            hashes.append(entry.hash)
    return hashes


async def start_anchor(env, queue: str):  # type: ignore[no-untyped-def]
    """The register anchor workflow started on QUEUE, and its state once it has checked."""
    handle = await env.client.start_workflow(
        names.WF_REGISTER_ANCHOR,
        AnchorInput(interval_seconds=60),
        id=names.REGISTER_ANCHOR_ID,
        task_queue=queue,
    )

    async def anchored() -> AnchorState | None:
        state = await handle.query(names.QUERY_ANCHORS, result_type=AnchorState)
        return state if state.checks else None

    return handle, await wait_for(anchored)


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
    async with transaction(sessions) as session:
        session.add(case_row("ack-case-NM-0", "W-100"))
    return await append_entries(sessions, 3)
