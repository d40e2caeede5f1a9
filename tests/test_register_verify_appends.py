"""A full verification while the service keeps appending (SQLite and PostgreSQL): a sound
register passes, through the head it read first. On PostgreSQL each statement reads what is
committed when it starts, so a head read after the entries was often one that appends had moved
on, and the nightly run recorded a failure ("head does not match the last entry") that stood
and paged until the next night. An entry written beyond the head still fails it."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from sqlalchemy import select

from store.db import make_engine, make_sessionmaker, transaction
from store.register_checks import recorded, verify_in_full
from store.registers import append_entry
from store.tables import RegisterEntry
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.register_support import REGISTER, append_entries

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


async def _append(sessions, first: int, n: int = 1) -> None:  # type: ignore[no-untyped-def]
    async with transaction(sessions) as session:
        for i in range(first, first + n):
            await append_entry(
                session, REGISTER, actor="E-SUPERVISOR", recorded_at=NOW,
                subject=f"ack-case-NM-{i}", kind="triage_attribution", payload={"n": i},
            )  # fmt: skip


def _keep_appending(
    url: str, stop: threading.Event, started: threading.Event, appended: list[int]
) -> None:
    """Append from another thread (its own loop and engine), as other workers do, until STOP."""

    async def run() -> None:
        engine = make_engine(url)
        sessions = make_sessionmaker(engine, TEST_SIGNING_KEY)
        try:
            while not stop.is_set():
                await _append(sessions, 10_000 + len(appended))
                appended.append(1)
                started.set()
        finally:
            await engine.dispose()

    asyncio.run(run())


async def test_appends_during_a_full_verification_do_not_fail_it(database_url, sessions) -> None:  # type: ignore[no-untyped-def]
    await _append(sessions, 1, 2000)
    stop, started, appended = threading.Event(), threading.Event(), []  # type: ignore[var-annotated]
    thread = threading.Thread(target=_keep_appending, args=(database_url, stop, started, appended))
    thread.start()
    try:
        assert await asyncio.to_thread(started.wait, 30)
        async with transaction(sessions) as session:
            result = await verify_in_full(session, REGISTER, at=NOW)
        during = len(appended)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 60)
    print(f"verified {result.entries} entries; {during} appended meanwhile")
    assert (result.ok, result.first_bad_seq, result.reason) == (True, None, None)
    assert result.entries >= 2000
    async with sessions() as session:
        stored = (await recorded(session))[REGISTER]
        again = await verify_in_full(session, REGISTER, at=NOW, before=stored)
    assert (stored.full_ok, stored.first_bad_seq, stored.full_seq) == (True, None, result.entries)
    assert again.ok and again.entries == 2000 + len(appended)


async def test_an_entry_beyond_the_head_fails_a_full_verification(sessions) -> None:  # type: ignore[no-untyped-def]
    await append_entries(sessions, 3)
    async with transaction(sessions) as session:
        third = await session.scalar(
            select(RegisterEntry).where(RegisterEntry.register == REGISTER, RegisterEntry.seq == 3)
        )
        assert third is not None
        session.add(
            RegisterEntry(
                register=REGISTER, seq=4, actor="E-FORGER", recorded_at=NOW, subject="x",
                kind="triage_attribution", payload={}, payload_salt="s", payload_digest="d",
                erased_by=None, prev_hash=third.hash, hash="f" * 64, signature="ab" * 64,
            )
        )  # fmt: skip
    async with transaction(sessions) as session:
        result = await verify_in_full(session, REGISTER, at=NOW)
    assert (result.ok, result.first_bad_seq) == (False, 4)
