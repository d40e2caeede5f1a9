"""Reading source records: the current records of a feed (all, or those of some keys) and each
key's chronology of versions (``store.sources`` re-exports both)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, any_, bindparam, select
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ingest import feed_spec
from store.tables import SourceRecord, SourceRecordVersion

# SQLite allows 32,766 bound variables per statement (999 before 3.32). PostgreSQL gets one
# array parameter per chunk: a 900-parameter IN list costs it ~100x more than ``key = ANY($1)``.
KEY_CHUNK = {"sqlite": 900, "postgresql": 20_000}


async def key_filters(session: AsyncSession, keys: Sequence[str]) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses on SourceRecord.key that together cover ``keys``, sized for the dialect."""
    dialect = (await session.connection()).dialect.name
    size = KEY_CHUNK.get(dialect, 900)
    chunks = (list(keys[start : start + size]) for start in range(0, len(keys), size))
    if dialect == "postgresql":
        return (SourceRecord.key == any_(bindparam("keys", c, type_=ARRAY(String))) for c in chunks)
    return (SourceRecord.key.in_(chunk) for chunk in chunks)


async def current_records(
    session: AsyncSession, feed: str, keys: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Current content of the feed's records by key (all of them, or those of ``keys``)."""
    feed_spec(feed)
    if keys is None:
        rows = await session.execute(
            select(SourceRecord.key, SourceRecord.content).where(SourceRecord.feed == feed)
        )
        return dict(rows.all())
    wanted = list(dict.fromkeys(keys))
    found: dict[str, dict[str, Any]] = {}
    if (await session.connection()).dialect.name == "postgresql":
        size = KEY_CHUNK["postgresql"]
        for start in range(0, len(wanted), size):
            chunk = {"feed": feed, "keys": wanted[start : start + size]}
            rows = await session.execute(_CURRENT_POSTGRESQL, chunk)
            found.update((key, content) for key, content in rows)
        return found
    for key_filter in await key_filters(session, wanted):
        rows = await session.execute(
            select(SourceRecord.key, SourceRecord.content).where(
                SourceRecord.feed == feed, key_filter
            )
        )
        found.update((key, content) for key, content in rows)
    return found


# One primary-key probe per key, whatever the partition's statistics (bench/RESULTS.md,
# "Eleventh session — current records"). ``key = ANY(:keys)`` read a freshly bulk-loaded
# partition whole; ``key = k.key … LIMIT 1`` (ingestion's probe) is planned on whichever of the
# partition's indexes leads with ``feed`` while those indexes still hold their creation-time
# zero row count, and then reads half the partition per key (5,000 rows, 500 keys: 60,131 pages).
# Asked as the first key in key order between ``k.key`` and ``k.key``, the probe has one index
# to be done with, the primary key's (an order, not an equality, so the planner cannot drop
# it); the upper bound stops the scan at the key (``>= k.key`` alone read on to the end of its
# index page: +37% per probe). The outer ``WHERE`` keeps only exact matches; ``source_records``
# holds one row per feed and key, its current version.
_CURRENT_POSTGRESQL = (
    sql_text(
        """
SELECT k.key, r.content
FROM unnest(CAST(:keys AS text[])) AS k(key)
CROSS JOIN LATERAL (
    SELECT key, content FROM source_records WHERE feed = :feed
        AND key >= k.key AND key <= k.key ORDER BY key LIMIT 1
) AS r
WHERE r.key = k.key
"""
    )
    .bindparams(bindparam("keys", type_=ARRAY(String)), bindparam("feed", type_=String))
    .columns(key=String, content=SourceRecord.content.type)
)


async def record_versions(session: AsyncSession, feed: str, key: str) -> list[dict[str, Any]]:
    """Every version of one record, oldest first: ``{version, received_at, content}``."""
    rows = await session.execute(
        select(
            SourceRecordVersion.version,
            SourceRecordVersion.received_at,
            SourceRecordVersion.content,
        )
        .where(SourceRecordVersion.feed == feed, SourceRecordVersion.key == key)
        .order_by(SourceRecordVersion.version)
    )
    return [
        {"version": version, "received_at": received, "content": content}
        for version, received, content in rows
    ]
