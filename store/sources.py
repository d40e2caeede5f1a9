"""Source records: versioned upsert by feed key (the reads, re-exported: ``store.source_reads``)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, cast

import asyncpg  # type: ignore[import-untyped]
from pydantic import BaseModel, TypeAdapter
from pydantic_core import SchemaSerializer
from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.collector import gc_paused
from domain.feeds import FeedRecord
from domain.ingest import feed_spec
from store.source_fields import TYPED_ARRAY_TYPES, TYPED_COLUMNS, typed_dict, typed_from_record
from store.source_reads import current_records as current_records
from store.source_reads import key_filters
from store.source_reads import record_versions as record_versions
from store.tables import (
    SOURCE_DEFAULT_PARTITION,
    SOURCE_FEEDS,
    SourceRecord,
    SourceRecordVersion,
    source_partition,
)

# Core tables for the bulk inserts: plain executemany, without the ORM's per-row bookkeeping.
_RECORDS = cast(Table, SourceRecord.__table__)
_VERSIONS = cast(Table, SourceRecordVersion.__table__)
_COPY_COLUMNS = ("feed", "key", "version", "content", "content_hash", "received_at")


class UpsertResult(BaseModel):
    """What a batch changed: new keys, changed records (new version), identical records."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


# Made once (json.dumps with options builds one per call; a verification encodes per entry).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal content always gives the same text."""
    return _CANONICAL.encode(value)


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a record's content."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


async def _existing(
    session: AsyncSession, feed: str, keys: Sequence[str]
) -> dict[str, tuple[int, str]]:
    """(version, content hash) of each of ``keys`` already stored in the feed."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        rows = await driver.fetch(_EXISTING_POSTGRESQL, feed, list(keys))
        return {key: (version, digest) for key, version, digest in rows}
    found: dict[str, tuple[int, str]] = {}
    for key_filter in await key_filters(session, keys):
        rows = await session.execute(
            select(SourceRecord.key, SourceRecord.version, SourceRecord.content_hash).where(
                SourceRecord.feed == feed, key_filter
            )
        )
        found.update((key, (version, digest)) for key, version, digest in rows)
    return found


# One primary-key probe per key, whatever the table's statistics: without them (a new or just
# bulk-loaded partition) ``key = ANY($2)`` was planned as a bitmap scan of the feed's whole
# partition, once per batch, so a 100k import read the partition 20 times (bench/RESULTS.md,
# "Tenth session"). Asked in key order, as ``store.source_reads`` asks for it:
# ``key = k.key LIMIT 1`` could be planned on an index on ``feed`` alone and read the partition
# per key (a 600-row import into 5,000 rows: 2.5M rows read; "Eleventh session — current records").
_EXISTING_POSTGRESQL = """
SELECT k.key, r.version, r.content_hash
FROM unnest($2::text[]) AS k(key)
CROSS JOIN LATERAL (
    SELECT key, version, content_hash FROM source_records WHERE feed = $1
        AND key >= k.key AND key <= k.key ORDER BY key LIMIT 1
) AS r
WHERE r.key = k.key
"""


async def upsert_records(
    session: AsyncSession, feed: str, records: Sequence[FeedRecord], received_at: datetime
) -> UpsertResult:
    """Store a batch: new keys inserted, changed ones versioned, identical ones left untouched.

    Idempotent: re-sending a batch writes nothing. Rows sharing a key: the last one wins. Every
    stored version (the first included) also lands in source_record_versions. Runs in the
    caller's transaction; concurrent batches inserting the same new key may raise IntegrityError
    (retry: the retry is then a no-op or an update).
    """
    return await store_prepared(session, feed, prepare_records(feed, records), received_at)


# A record ready to store: its key, canonical JSON (hashed, stored as is), hash and typed
# columns (``store.source_fields``). A plain tuple, no model: a worker process pickles 5,000 of
# them per chunk, and a named tuple's pickle names its class in every row (2.2 against 3.6
# µs/row to pickle, measured).
PreparedRecord = tuple[str, bytes, str, tuple[Any, ...]]


def prepare_records(feed: str, records: Sequence[FeedRecord]) -> list[PreparedRecord]:
    """Each key's last record with its canonical JSON and hash; CPU only, no database."""
    key_field = feed_spec(feed).key
    batch = {str(getattr(record, key_field)): record for record in records}
    prepared: list[PreparedRecord] = []
    with gc_paused():
        for key, record in batch.items():
            text = record_json(record)
            prepared.append(
                (key, text, hashlib.sha256(text).hexdigest(), typed_from_record(record))
            )
    return prepared


# A record to write: (key, version, canonical JSON, hash, typed columns).
_Row = tuple[str, int, bytes, str, tuple[Any, ...]]
_ABSENT = (0, None)


async def store_prepared(
    session: AsyncSession, feed: str, prepared: Sequence[PreparedRecord], received_at: datetime
) -> UpsertResult:
    """The storing half of upsert_records, for records from prepare_records (unique keys)."""
    existing = await _existing(session, feed, [item[0] for item in prepared])
    new_rows: list[_Row] = []
    changed_rows: list[_Row] = []
    result = UpsertResult()
    # Await-free loops over a whole batch: without the pause, the collector's full passes over
    # the batch's records cost as much as the loop itself (profiled: 7 µs/row at 10k rows).
    with gc_paused():
        for key, text, digest, typed in prepared:
            version, previous = existing.get(key, _ABSENT)
            if digest == previous:
                result.unchanged += 1
                continue
            (changed_rows if version else new_rows).append((key, version + 1, text, digest, typed))
    result.inserted, result.updated = len(new_rows), len(changed_rows)
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await _write_postgresql(connection, feed, new_rows, changed_rows, received_at)
    else:
        await _write_generic(session, feed, new_rows, changed_rows, received_at)
    return result


def record_json(record: FeedRecord) -> bytes:
    """A record's canonical JSON (UTF-8): ``canonical_json(record.model_dump(mode="json"))``.

    pydantic-core writes a dataclass's fields in their declared order, each with its own type's
    serializer (those of ``model_dump(mode="json")``): through a dataclass declaring the model's
    fields in sorted order, the text is the canonical one (the same hashes as those already
    stored; tests/test_canonical_json.py), ~1.3 µs/row cheaper than serialising a sorted dict
    by type inference (measured 3.9 -> 2.6 µs/row on incident-platform rows).
    """
    shape, serializer = _canonical_shape(type(record))
    # The dataclass takes the record's own attributes as its ``__dict__`` (a feed model's hold
    # exactly its fields) instead of its ``__init__`` copying them: 4.4 -> 3.8 µs/row.
    canonical = object.__new__(shape)
    canonical.__dict__ = record.__dict__
    return serializer.to_json(canonical)


@cache
def _canonical_shape(model: type[FeedRecord]) -> tuple[type[Any], SchemaSerializer]:
    fields = [
        (name, model.model_fields[name].rebuild_annotation()) for name in sorted(model.model_fields)
    ]
    shape = dataclasses.make_dataclass(f"Canonical{model.__name__}", fields)
    return shape, TypeAdapter(shape).serializer


async def _write_generic(
    session: AsyncSession,
    feed: str,
    new_rows: list[_Row],
    changed_rows: list[_Row],
    received_at: datetime,
) -> None:
    """Plain executemany (SQLite): new records, changed records, and all their versions.

    The content is the canonical JSON read back: the same value as ``model_dump(mode="json")``,
    its keys in sorted order as PostgreSQL stores them.
    """

    def values(row: _Row) -> dict[str, Any]:
        key, version, text, digest, _ = row
        return {
            "feed": feed,
            "key": key,
            "version": version,
            "content": json.loads(text),
            "content_hash": digest,
            "received_at": received_at,
        }

    inserted, changed = [values(r) for r in new_rows], [values(r) for r in changed_rows]
    current = [
        {**v, **typed_dict(r[4])}
        for v, r in zip(inserted + changed, new_rows + changed_rows, strict=True)
    ]
    if inserted:
        await session.execute(insert(_RECORDS), current[: len(inserted)])
    if changed:  # ORM bulk UPDATE by primary key (feed, key): one executemany.
        await session.execute(update(SourceRecord), current[len(inserted) :])
    if inserted or changed:
        await session.execute(insert(_VERSIONS), inserted + changed)


async def _write_postgresql(
    connection: AsyncConnection,
    feed: str,
    new_rows: list[_Row],
    changed_rows: list[_Row],
    received_at: datetime,
) -> None:
    """COPY new records and every version; changed records in one UPDATE from arrays.

    Profiled at 100k rows, executemany spent more time than parsing and validating together.
    The canonical JSON text goes to both tables as is (a json column keeps the text).
    """
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    with gc_paused():  # as in store_prepared
        versions = [
            (feed, key, version, text.decode(), digest, received_at)
            for key, version, text, digest, _ in (*new_rows, *changed_rows)
        ]
        current = [(*v, *r[4]) for v, r in zip(versions, new_rows, strict=False)]
    try:
        if new_rows:
            await driver.copy_records_to_table(
                _RECORDS.name, columns=(*_COPY_COLUMNS, *TYPED_COLUMNS), records=current
            )
        if changed_rows:
            _, keys, numbers, texts, digests, _ = zip(*versions[len(new_rows) :], strict=True)
            typed = zip(*(r[4] for r in changed_rows), strict=True)
            await driver.execute(
                _update_changed(feed), feed, keys, numbers, texts, digests, received_at, *typed
            )
        if versions:
            await driver.copy_records_to_table(
                _VERSIONS.name, columns=_COPY_COLUMNS, records=versions
            )
    except asyncpg.UniqueViolationError as exc:  # the contract: IntegrityError, as before
        raise IntegrityError("COPY source records", None, exc) from exc


@cache
def _update_changed(feed: str) -> str:
    """The UPDATE of a batch's changed records, on the feed's own partition.

    Each changed key finds its row by a primary-key probe asked in key order (as
    ``_EXISTING_POSTGRESQL``) and is updated by its row's ``ctid``, so the statement reads one
    index path and one row per key. As a join of the partition with the arrays on ``key``
    (before), it was planned, with statistics or without, as a hash join over the whole
    partition, once per 5,000-row batch: 10,800 pages for 5,000 changed keys of 100,000 rows
    (bench/RESULTS.md, "Twelfth session — ingestion"). A row updated by a concurrent batch
    meanwhile has a new ``ctid`` and is skipped; that batch's version row then makes this
    batch's COPY of the same version fail (IntegrityError), as a join on ``key`` did.
    """
    partition = source_partition(feed) if feed in SOURCE_FEEDS else SOURCE_DEFAULT_PARTITION
    columns = ", ".join(TYPED_COLUMNS)
    arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(TYPED_ARRAY_TYPES, start=7))
    return f"""
UPDATE {partition} AS r
SET version = u.version, content = u.content::json, content_hash = u.content_hash,
    received_at = $6, {", ".join(f"{c} = u.{c}" for c in TYPED_COLUMNS)}
FROM (
    SELECT u.*, p.ctid AS row_id
    FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], {arrays})
        AS u(key, version, content, content_hash, {columns})
    CROSS JOIN LATERAL (
        SELECT ctid, key FROM {partition} WHERE feed = $1
            AND key >= u.key AND key <= u.key ORDER BY key LIMIT 1
    ) AS p
    WHERE p.key = u.key
) AS u
WHERE r.ctid = u.row_id
"""  # noqa: S608 (partition and column names, types: constants of store.tables, source_fields)
