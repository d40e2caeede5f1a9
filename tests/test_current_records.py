"""``store.sources.current_records`` with keys: each key's latest version, on SQLite and
PostgreSQL; on PostgreSQL it, ingestion's stored-key look-up and its UPDATE of changed records
read one row per key, whatever the partition's statistics (``key = ANY(:keys)`` read a freshly
loaded feed partition whole, ``key = k.key LIMIT 1`` half a small one per key: bench/RESULTS.md,
"Eleventh session — current records"; the UPDATE's join on key, the whole partition per batch:
"Twelfth session — ingestion")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store import source_reads, sources
from store.db import transaction
from store.sources import current_records, record_versions
from store.tables import SourceRecordVersion, source_partition
from tests.sources_support import FEED, T0, log_row, records, upsert

TRACKER = "manager-response-tracker"


def tracker_row(reference: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "employee_id": "E1",
        "service_line": "north",
        "triage_status": "triaged",
        "manager_reviewed": True,
        "updated_at": "2026-11-20T12:00:00+00:00",
    }


async def latest_versions(
    sessions: async_sessionmaker[AsyncSession], feed: str, keys: list[str]
) -> dict[str, dict[str, Any]]:
    """The oracle: each stored key's highest version, from its chronology."""
    latest: dict[str, dict[str, Any]] = {}
    async with sessions() as session:
        for key in dict.fromkeys(keys):
            versions = await record_versions(session, feed, key)
            if versions:
                latest[key] = versions[-1]["content"]
    return latest


@pytest.mark.parametrize("chunk", [2, 20_000])
async def test_each_key_gets_its_latest_version(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setitem(source_reads.KEY_CHUNK, "postgresql", chunk)
    monkeypatch.setitem(source_reads.KEY_CHUNK, "sqlite", chunk)
    keys = [f"NM-{i:03d}" for i in range(12)]
    await upsert(sessions, [log_row(k) for k in keys])
    await upsert(  # a second version of every third key, a third of every sixth
        sessions,
        [log_row(k, service_line="south") for k in keys[::3]],
        at=T0 + timedelta(hours=1),
    )
    await upsert(
        sessions,
        [log_row(k, service_line="east", triage_owner_id="E9") for k in keys[::6]],
        at=T0 + timedelta(hours=2),
    )
    await upsert(sessions, [tracker_row("NM-900")], feed=TRACKER)  # another feed's key
    asked = [*keys[::2], "NM-900", "NM-404", keys[0], keys[3], keys[3]]
    async with sessions() as session:
        found = await current_records(session, FEED, asked)
        assert await current_records(session, FEED, []) == {}
        assert await current_records(session, TRACKER, iter(["NM-900"])) == {
            "NM-900": (await current_records(session, TRACKER))["NM-900"]
        }
    assert found == await latest_versions(sessions, FEED, asked)
    assert set(found) == set(keys[::2]) | {keys[3]}  # not NM-900 (tracker) nor NM-404
    assert found[keys[0]]["service_line"] == "east" and found[keys[3]]["service_line"] == "south"
    assert found[keys[2]]["service_line"] == "north"


_READ = text(
    "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
    "FROM pg_stat_xact_user_tables WHERE relid = to_regclass(:partition)"
)


async def rows_read(session: AsyncSession, keys: list[str]) -> tuple[int, int]:
    """(records found, rows of the feed's partition read) by one ``current_records`` call, as
    this transaction's statistics count them."""
    partition = {"partition": source_partition(FEED)}
    before = await session.scalar(_READ, partition) or 0
    found = await current_records(session, FEED, keys)
    return len(found), (await session.scalar(_READ, partition) or 0) - before


@pytest.mark.postgres
@pytest.mark.parametrize("size", [5_000, 20_000])
async def test_postgresql_reads_one_row_per_key_with_or_without_statistics(
    postgres_url: str, sessions_for: Callable[[str], async_sessionmaker[AsyncSession]], size: int
) -> None:
    sessions = sessions_for(postgres_url)
    stored = [f"NM-{i:05d}" for i in range(size)]
    async with transaction(sessions) as session:  # COPY: a partition without statistics
        await sources.upsert_records(session, FEED, records(FEED, [log_row(k) for k in stored]), T0)
    keys = [*stored[::40], "NM-00000x", "NM-99999"]  # two absent: one within the keys, one after
    found = size // 40
    async with sessions() as session:
        statistics = text(
            "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = :p"
        )
        assert await session.scalar(statistics, {"p": source_partition(FEED)}) == 0
        # key = ANY(:keys) read all 20,000 rows (a bitmap scan of an index on feed); a probe by
        # key = k.key LIMIT 1 on 5,000 rows half the partition per key (an index on feed)
        stored_found, read = await rows_read(session, keys)
        assert stored_found == found and found <= read <= len(keys)
    async with transaction(sessions) as session:
        await session.execute(text(f"ANALYZE {source_partition(FEED)}"))
    async with sessions() as session:
        stored_found, read = await rows_read(session, keys)
        assert stored_found == found and found <= read <= len(keys)
        versions = await session.scalar(select(func.count()).select_from(SourceRecordVersion))
    assert versions == size


@pytest.mark.postgres
async def test_postgresql_ingestion_reads_one_row_per_key_without_statistics(
    postgres_url: str, sessions_for: Callable[[str], async_sessionmaker[AsyncSession]]
) -> None:
    """The stored-key look-up of an import into a partition of 5,000 rows without statistics
    (``key = k.key LIMIT 1`` read 5,000 rows for each new key there)."""
    sessions = sessions_for(postgres_url)
    stored = [log_row(f"NM-{i:05d}") for i in range(0, 10_000, 2)]
    async with transaction(sessions) as session:
        await sources.upsert_records(session, FEED, records(FEED, stored), T0)
    batch = [
        *(log_row(f"NM-{i:05d}") for i in range(1, 1_000, 2)),  # 500 new keys between them
        *stored[:100],  # 100 unchanged
    ]
    async with transaction(sessions) as session:
        before = await session.scalar(_READ, {"partition": source_partition(FEED)}) or 0
        result = await sources.upsert_records(session, FEED, records(FEED, batch), T0)
        read = (await session.scalar(_READ, {"partition": source_partition(FEED)}) or 0) - before
    assert (result.inserted, result.unchanged, result.updated) == (500, 100, 0)
    assert read <= len(batch)  # a probe each (a changed record's UPDATE is not probed so)


@pytest.mark.postgres
async def test_postgresql_changed_records_are_updated_reading_their_rows_only(
    postgres_url: str, sessions_for: Callable[[str], async_sessionmaker[AsyncSession]]
) -> None:
    """Changed records' UPDATE into a partition of 5,000 rows, without statistics and with
    them: a join on ``key`` was planned as a hash join over the whole partition (5,000 rows
    read for a batch of 200)."""
    sessions = sessions_for(postgres_url)
    stored = [log_row(f"NM-{i:05d}") for i in range(5_000)]
    async with transaction(sessions) as session:
        await sources.upsert_records(session, FEED, records(FEED, stored), T0)
    for round_, line in enumerate(("south", "east"), start=1):
        changed = [log_row(f"NM-{i:05d}", service_line=line) for i in range(0, 5_000, 25)]
        batch = [*changed, log_row(f"NM-9{round_:04d}"), *stored[1:21]]  # 1 new, 20 unchanged
        async with transaction(sessions) as session:
            before = await session.scalar(_READ, {"partition": source_partition(FEED)}) or 0
            result = await sources.upsert_records(
                session, FEED, records(FEED, batch), T0 + timedelta(hours=round_)
            )
            read = await session.scalar(_READ, {"partition": source_partition(FEED)}) or 0
            read -= before
        assert (result.inserted, result.unchanged, result.updated) == (1, 20, 200)
        assert read <= len(batch) + 2 * len(changed), round_  # look-up, then probe and row
        async with sessions() as session:
            found = await current_records(session, FEED, [f"NM-{i:05d}" for i in range(0, 50)])
        assert {k: v["service_line"] for k, v in found.items()} == {
            f"NM-{i:05d}": line if i % 25 == 0 else "north" for i in range(50)
        }
        assert found == await latest_versions(sessions, FEED, list(found))
        if round_ == 1:
            async with transaction(sessions) as session:
                await session.execute(text(f"ANALYZE {source_partition(FEED)}"))
