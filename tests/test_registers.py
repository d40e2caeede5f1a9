"""Hash-chained registers: append, read, verify, tamper detection, concurrent appenders."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store import tables
from store.db import transaction
from store.register_reads import entries
from store.register_verify import ChainVerification, verify_chain
from store.registers import GENESIS, append_entry

AT = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=1)))
REGISTER = "triage-attribution"


async def append(
    sessions: async_sessionmaker[AsyncSession],
    n: int,
    register: str = REGISTER,
    subject: str = "NM-1",
) -> None:
    async with transaction(sessions) as session:
        await append_entry(
            session,
            register,
            actor=f"E{n}",
            recorded_at=AT + timedelta(minutes=n),
            subject=subject,
            kind="submitted",
            payload={"n": n, "at": AT, "notes": ["ü", None]},
        )


async def test_entries_chain_and_read_back(sessions) -> None:
    for n in range(1, 4):
        await append(sessions, n, subject="NM-1" if n != 2 else "NM-2")
    await append(sessions, 1, register="retention-impact")
    async with sessions() as session:
        chain = await entries(session, REGISTER)
        only_nm2 = await entries(session, REGISTER, subject="NM-2")
        verification = await verify_chain(session, REGISTER)
        other = await verify_chain(session, "retention-impact")
        empty = await verify_chain(session, "never-written")
    assert [e.seq for e in chain] == [1, 2, 3]
    assert chain[0].prev_hash == GENESIS and chain[1].prev_hash == chain[0].hash
    assert chain[0].recorded_at == AT + timedelta(minutes=1)
    assert chain[0].recorded_at.tzinfo == UTC
    assert chain[0].payload == {"n": 1, "at": "2026-11-26T10:00:00+01:00", "notes": ["ü", None]}
    assert [e.seq for e in only_nm2] == [2]
    assert verification.ok and verification.entries == 3 and verification.first_bad_seq is None
    assert other.ok and other.entries == 1
    assert empty.ok and empty.entries == 0


async def test_append_returns_what_is_stored(sessions) -> None:
    async with transaction(sessions) as session:
        appended = await append_entry(
            session, REGISTER, actor="E1", recorded_at=AT, subject="S", kind="k", payload={}
        )
    async with sessions() as session:
        (stored,) = await entries(session, REGISTER)
    assert stored == appended


async def test_naive_recorded_at_is_refused(sessions) -> None:
    async with transaction(sessions) as session:
        with pytest.raises(ValueError, match="offset"):
            await append_entry(
                session,
                REGISTER,
                actor="E1",
                recorded_at=datetime(2026, 11, 26, 10, 0),
                subject="S",
                kind="k",
                payload={},
            )


async def test_tampering_is_found_at_its_seq(sessions) -> None:
    for n in range(1, 6):
        await append(sessions, n)
    async with transaction(sessions) as session:
        await session.execute(
            update(tables.RegisterEntry)
            .where(tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 3)
            .values(payload={"n": 99})
        )
    async with sessions() as session:
        verification = await verify_chain(session, REGISTER)
    assert not verification.ok and verification.first_bad_seq == 3


async def test_a_removed_last_entry_is_found_through_the_head(sessions) -> None:
    for n in range(1, 4):
        await append(sessions, n)
    async with transaction(sessions) as session:
        await session.execute(delete(tables.RegisterEntry).where(tables.RegisterEntry.seq == 3))
    async with sessions() as session:
        verification = await verify_chain(session, REGISTER)
    assert verification == ChainVerification(
        REGISTER, entries=2, ok=False, first_bad_seq=3, reason="head does not match the last entry"
    )


async def test_concurrent_appenders_never_fork_the_chain(sessions) -> None:
    await asyncio.gather(*(append(sessions, n) for n in range(1, 21)))
    async with sessions() as session:
        chain = await entries(session, REGISTER)
        verification = await verify_chain(session, REGISTER)
    assert [e.seq for e in chain] == list(range(1, 21))
    assert sorted(e.actor for e in chain) == sorted(f"E{n}" for n in range(1, 21))
    assert verification.ok and verification.entries == 20


async def test_concurrent_first_appends_to_new_registers(sessions) -> None:
    await asyncio.gather(*(append(sessions, n, register=f"r{n % 3}") for n in range(1, 10)))
    async with sessions() as session:
        results = [await verify_chain(session, f"r{i}") for i in range(3)]
    assert all(r.ok and r.entries == 3 for r in results)
