"""Append-only registers: one SHA-256 hash chain per register, appended under a head lock.

Each entry's hash is ``sha256(prev_hash + canonical JSON of (register, seq, actor, recorded_at,
subject, kind, payload))``; the first entry's ``prev_hash`` is ``GENESIS``. ``register_heads``
holds each chain's last seq and hash. An append first writes the head row (an INSERT ... ON
CONFLICT DO NOTHING) and then reads it ``FOR UPDATE``: on PostgreSQL the row lock serialises
appenders; on SQLite that first write takes the database write lock before anything is read.
Either way two appenders cannot both extend the same head, so the chain cannot fork.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from store import tables
from store.sources import canonical_json

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One entry of a register as stored (``recorded_at`` in UTC).

    A dataclass, not a pydantic model: a field named ``register`` would shadow
    ``BaseModel.register`` (ABCMeta). Pydantic (and Temporal's converter) still serialise it.
    """

    register: str
    seq: int
    actor: str
    recorded_at: datetime
    subject: str
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainVerification:
    """Result of re-computing a register's chain: ``first_bad_seq`` is where it first breaks."""

    register: str
    entries: int
    ok: bool
    first_bad_seq: int | None = None


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The chained hash of an entry: ``fields`` are register, seq, actor, recorded_at (ISO, UTC),
    subject, kind and payload."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


def _hashed_fields(entry: RegisterEntry | tables.RegisterEntry) -> dict[str, Any]:
    return {
        "register": entry.register,
        "seq": entry.seq,
        "actor": entry.actor,
        "recorded_at": entry.recorded_at.astimezone(UTC).isoformat(),
        "subject": entry.subject,
        "kind": entry.kind,
        "payload": entry.payload,
    }


async def _lock_head(session: AsyncSession, register: str) -> tables.RegisterHead:
    dialect = (await session.connection()).dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(tables.RegisterHead)
    await session.execute(
        upsert.values(register=register, seq=0, hash=GENESIS).on_conflict_do_nothing()
    )
    head = await session.scalar(
        select(tables.RegisterHead)
        .where(tables.RegisterHead.register == register)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert head is not None  # inserted just above, in this transaction
    return head


async def append_entry(
    session: AsyncSession,
    register: str,
    *,
    actor: str,
    recorded_at: datetime,
    subject: str,
    kind: str,
    payload: dict[str, Any],
) -> RegisterEntry:
    """Append one entry to ``register`` in the caller's transaction and return it (chained).

    Not idempotent: callers that may retry must check ``entries`` (or use a dedupe key in the
    payload) first. ``recorded_at`` must be aware; it is stored in UTC. ``payload`` is stored as
    its JSON form (datetimes as ISO strings), exactly as hashed.
    """
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must carry an offset")
    head = await _lock_head(session, register)
    entry = RegisterEntry(
        register=register,
        seq=head.seq + 1,
        actor=actor,
        recorded_at=recorded_at.astimezone(UTC),
        subject=subject,
        kind=kind,
        payload=to_jsonable_python(payload),
        prev_hash=head.hash,
        hash="",
    )
    entry = replace(entry, hash=entry_hash(head.hash, _hashed_fields(entry)))
    session.add(tables.RegisterEntry(**asdict(entry)))
    head.seq, head.hash = entry.seq, entry.hash
    await session.flush()
    return entry


async def entries(
    session: AsyncSession, register: str, subject: str | None = None
) -> list[RegisterEntry]:
    """The register's entries in chain order (only ``subject``'s when given)."""
    query = select(tables.RegisterEntry).where(tables.RegisterEntry.register == register)
    if subject is not None:
        query = query.where(tables.RegisterEntry.subject == subject)
    rows = await session.scalars(query.order_by(tables.RegisterEntry.seq))
    return [_model(row) for row in rows]


def _model(row: tables.RegisterEntry) -> RegisterEntry:
    return RegisterEntry(**{name: getattr(row, name) for name in _FIELDS})


_FIELDS = tuple(field.name for field in fields(RegisterEntry))


async def verify_chain(session: AsyncSession, register: str) -> ChainVerification:
    """Re-compute every hash of ``register``; also checks seq continuity and the head."""
    count, expected_prev = 0, GENESIS
    result = await session.stream_scalars(
        select(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == register)
        .order_by(tables.RegisterEntry.seq)
        .execution_options(yield_per=1000, populate_existing=True)
    )
    async for row in result:
        count += 1
        if (
            row.seq != count
            or row.prev_hash != expected_prev
            or row.hash != entry_hash(expected_prev, _hashed_fields(row))
        ):
            return ChainVerification(
                register=register, entries=count, ok=False, first_bad_seq=count
            )
        expected_prev = row.hash
    head = await session.get(tables.RegisterHead, register, populate_existing=True)
    head_ok = (head is None and count == 0) or (
        head is not None and head.seq == count and head.hash == expected_prev
    )
    bad = None if head_ok else count + 1
    return ChainVerification(register=register, entries=count, ok=head_ok, first_bad_seq=bad)


async def find_request(
    session: AsyncSession, register: str, subject: str, request_id: str
) -> RegisterEntry | None:
    """The entry a request (its ``request_id`` in the payload) wrote about SUBJECT, if any."""
    rows = await session.scalars(
        select(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == register, tables.RegisterEntry.subject == subject)
        .order_by(tables.RegisterEntry.seq)
    )
    for row in rows:
        if row.payload.get("request_id") == request_id:
            return _model(row)
    return None
