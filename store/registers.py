"""Append-only registers: one hash chain per register over digests of the payloads, each entry
signed with the service's Ed25519 key, appended under a head lock.

Each entry stores its payload, a random salt and ``payload_digest = sha256(salt + canonical JSON
of the payload)``. Its hash is ``sha256(prev_hash + canonical JSON of (register, seq, actor,
recorded_at, subject, kind, payload_digest))``; the first entry's ``prev_hash`` is ``GENESIS``.
Because the chain covers the digest and not the payload, a payload (and its salt) can be erased
on request while the chain still verifies; the erasure is itself an entry of the ``erasures``
register (see ``store/erasure.py``). Every entry and the head carry the service's signature of
(register, seq, hash) (``store/signing.py``), so nobody without the key can edit, relink,
reorder or forge entries; a head moved back is caught by the copies kept outside the database
(``store/register_verify.py``). Reading entries back: ``store/register_reads.py``.

``register_heads`` holds each chain's last seq, hash and signature. On PostgreSQL an append
reads the head row ``FOR UPDATE`` (writing it first, INSERT ... ON CONFLICT DO NOTHING, only for
a register's first append): the row lock serialises appenders. On SQLite it writes the head row
first, which takes the database write lock, then reads it. Either way two appenders cannot
both extend the same head, so the chain cannot fork.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic_core import to_jsonable_python
from sqlalchemy import Insert, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from config.settings import DEV_SIGNING_KEY
from store import tables
from store.signing import sign_head, signing_key
from store.sources import canonical_json

GENESIS = "0" * 64
# Inserts that name a new entry, made from its seq (see ``append_entry``).
Naming = Callable[[int], list[Insert]]
ERASURES = "erasures"


def service_key(session: AsyncSession) -> Ed25519PrivateKey:
    """The key the session signs register entries, heads and verification records with (the
    service's, set on the session by its maker; development's without one)."""
    return signing_key(session.info.get("signing_key") or DEV_SIGNING_KEY)


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
    payload_salt: str = ""
    payload_digest: str = ""
    erased_by: int | None = None
    signature: str = ""


def payload_digest(salt: str, payload: dict[str, Any]) -> str:
    """The salted digest of a payload (the salt keeps a short payload from being guessed)."""
    return hashlib.sha256((salt + canonical_json(payload)).encode()).hexdigest()


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The chained hash of an entry: ``fields`` are register, seq, actor, recorded_at (ISO, UTC),
    subject, kind and payload_digest."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


def hashed_fields(entry: RegisterEntry | tables.RegisterEntry) -> dict[str, Any]:
    """What an entry's chained hash covers."""
    return {
        "register": entry.register,
        "seq": entry.seq,
        "actor": entry.actor,
        "recorded_at": entry.recorded_at.astimezone(UTC).isoformat(),
        "subject": entry.subject,
        "kind": entry.kind,
        "payload_digest": entry.payload_digest,
    }


async def _lock_head(session: AsyncSession, register: str) -> tables.RegisterHead:
    locked = (
        select(tables.RegisterHead)
        .where(tables.RegisterHead.register == register)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    dialect = (await session.connection()).dialect.name
    if dialect == "postgresql":  # the row lock: the head is there but for the first append
        head = await session.scalar(locked)
        if head is not None:
            return head
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(tables.RegisterHead)
    await session.execute(
        upsert.values(register=register, seq=0, hash=GENESIS).on_conflict_do_nothing()
    )
    head = await session.scalar(locked)
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
    then: Naming | None = None,
) -> RegisterEntry:
    """Append one entry to ``register`` in the caller's transaction and return it (chained).

    Not idempotent: callers that may retry must check ``entries`` (or use a dedupe key in the
    payload) first. ``recorded_at`` must be aware; it is stored in UTC. ``payload`` is stored as
    its JSON form (datetimes as ISO strings), exactly as hashed.

    THEN gives, from the new entry's seq, inserts that name it (a timeline event, say). On
    PostgreSQL they go with the entry and the head's move in one statement (data-modifying
    CTEs), so the head stays locked for its read, that statement and the commit.
    """
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must carry an offset")
    head = await _lock_head(session, register)
    key = service_key(session)
    salt = secrets.token_hex(16)
    jsonable = to_jsonable_python(payload)
    entry = RegisterEntry(
        register=register,
        seq=head.seq + 1,
        actor=actor,
        recorded_at=recorded_at.astimezone(UTC),
        subject=subject,
        kind=kind,
        payload=jsonable,
        prev_hash=head.hash,
        hash="",
        payload_salt=salt,
        payload_digest=payload_digest(salt, jsonable),
    )
    hash_ = entry_hash(head.hash, hashed_fields(entry))
    entry = replace(entry, hash=hash_, signature=sign_head(key, register, entry.seq, hash_))
    naming = then(entry.seq) if then is not None else []
    if (await session.connection()).dialect.name == "postgresql":
        await _append_at_once(session, head, entry, naming)
        return entry
    session.add(tables.RegisterEntry(**asdict(entry)))
    head.seq, head.hash, head.signature = entry.seq, entry.hash, entry.signature
    await session.flush()
    for statement in naming:
        await session.execute(statement)
    return entry


async def _append_at_once(
    session: AsyncSession, head: tables.RegisterHead, entry: RegisterEntry, naming: list[Insert]
) -> None:
    """Insert ENTRY, move HEAD to it and run NAMING in one PostgreSQL statement; the session's
    HEAD is told the values written (it is not flushed again)."""
    moved = (
        update(tables.RegisterHead)
        .where(tables.RegisterHead.register == entry.register)
        .values(seq=entry.seq, hash=entry.hash, signature=entry.signature)
    )
    statement = insert(tables.RegisterEntry).values(**asdict(entry))
    for i, also in enumerate([moved, *naming]):
        statement = statement.add_cte(also.cte(f"also_{i}"))
    await session.execute(statement)
    for name in ("seq", "hash", "signature"):
        set_committed_value(head, name, getattr(entry, name))
