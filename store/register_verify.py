"""Verify a register: its chain, each entry's signature and payload digest, erasures, and the
heads anchored outside the database (Temporal's history, published packs, mailed checkpoints).

What each check catches, against an attacker who can write the database but holds no key:
- an edited field: the entry's hash no longer matches its fields (or its payload its digest);
- an edit with the chain recomputed, a middle entry deleted and the chain relinked, a reorder, a
  whole register replaced by a consistent forgery: the entries' signatures are not the service's;
- the last entries deleted and the head moved back (truncation): a head anchored outside the
  database, signed by the service, has a seq the register no longer reaches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import DEV_SIGNING_KEY
from store import tables
from store.registers import (
    ERASURES,
    GENESIS,
    entry_hash,
    hashed_fields,
    payload_digest,
)
from store.signing import head_signature_ok, signing_key


@dataclass(frozen=True, slots=True)
class Anchor:
    """A signed head kept outside the database: ``source`` says where (e.g. ``temporal``)."""

    register: str
    seq: int
    hash: str
    signature: str
    source: str


@dataclass(frozen=True, slots=True)
class ChainVerification:
    """Result of verifying a register: ``first_bad_seq`` is where it first breaks, and why."""

    register: str
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    reason: str | None = None
    anchored_seq: int | None = None


def service_public_key(session: AsyncSession) -> Ed25519PublicKey:
    """The public half of the key the session's appends sign with."""
    return signing_key(session.info.get("signing_key") or DEV_SIGNING_KEY).public_key()


def _row_problem(
    row: tables.RegisterEntry, expected_prev: str, public: Ed25519PublicKey, erased: set[int]
) -> str | None:
    if row.prev_hash != expected_prev:
        return "not linked to the previous entry"
    if row.erased_by is None:
        if payload_digest(row.payload_salt, row.payload) != row.payload_digest:
            return "payload does not match its digest"
    elif row.payload or row.seq not in erased:
        return "payload erased without an erasure entry"
    if row.hash != entry_hash(expected_prev, hashed_fields(row)):
        return "hash does not match the entry's fields"
    if not head_signature_ok(public, row.register, row.seq, row.hash, row.signature):
        return "signature is not the service's"
    return None


async def _erased_seqs(
    session: AsyncSession, register: str, public: Ed25519PublicKey, erasure_seq: int
) -> set[int]:
    """The seqs of ``register`` that erasure entry ``erasure_seq`` lists, if that entry verifies."""
    row = await session.scalar(
        select(tables.RegisterEntry).where(
            tables.RegisterEntry.register == ERASURES, tables.RegisterEntry.seq == erasure_seq
        )
    )
    if row is None or _row_problem(row, row.prev_hash, public, set()) is not None:
        return set()
    listed: list[dict[str, Any]] = row.payload.get("entries", [])
    return {int(e["seq"]) for e in listed if e.get("register") == register}


async def verify_chain(
    session: AsyncSession,
    register: str,
    *,
    public: Ed25519PublicKey | None = None,
    anchors: Iterable[Anchor] = (),
) -> ChainVerification:
    """Verify every entry of ``register``, its head, and ``anchors`` (signed heads kept outside)."""
    public = public or service_public_key(session)
    wanted = {a.seq: a for a in anchors if _anchor_ok(public, register, a)}
    found: dict[int, str] = {}
    erased: set[int] = set()
    count, expected_prev = 0, GENESIS
    result = await session.stream_scalars(
        select(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == register)
        .order_by(tables.RegisterEntry.seq)
        .execution_options(yield_per=1000, populate_existing=True)
    )
    async for row in result:
        count += 1
        if row.erased_by is not None and row.seq not in erased:
            erased |= await _erased_seqs(session, register, public, row.erased_by)
        problem = "entry missing or out of order" if row.seq != count else None
        problem = problem or _row_problem(row, expected_prev, public, erased)
        if problem:
            return ChainVerification(register, count, False, count, problem)
        if count in wanted:
            found[count] = row.hash
        expected_prev = row.hash
    return await _verify_ends(session, register, public, count, expected_prev, wanted, found)


def _anchor_ok(public: Ed25519PublicKey, register: str, anchor: Anchor) -> bool:
    return anchor.register == register and head_signature_ok(
        public, register, anchor.seq, anchor.hash, anchor.signature
    )


async def _verify_ends(
    session: AsyncSession,
    register: str,
    public: Ed25519PublicKey,
    count: int,
    last_hash: str,
    wanted: dict[int, Anchor],
    found: dict[int, str],
) -> ChainVerification:
    anchored = max(wanted, default=None)
    for seq in sorted(wanted):
        anchor = wanted[seq]
        if seq > count:
            reason = f"entries up to seq {seq} (anchored in {anchor.source}) are missing"
            return ChainVerification(register, count, False, count + 1, reason, anchored)
        if found.get(seq) != anchor.hash:
            reason = f"entry differs from its head anchored in {anchor.source}"
            return ChainVerification(register, count, False, seq, reason, anchored)
    head = await session.get(tables.RegisterHead, register, populate_existing=True)
    head_ok = (head is None and count == 0) or (
        head is not None
        and head.seq == count
        and head.hash == last_hash
        and (count == 0 or head_signature_ok(public, register, count, head.hash, head.signature))
    )
    if not head_ok:
        reason = "head does not match the last entry"
        return ChainVerification(register, count, False, count + 1, reason, anchored)
    return ChainVerification(register, count, True, None, None, anchored)
