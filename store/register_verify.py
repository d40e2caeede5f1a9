"""Verify a register: its chain, each entry's signature and payload digest, erasures, and the
heads anchored outside the database (Temporal's history, published packs, mailed checkpoints).

What each check catches, against an attacker who can write the database but holds no key:
- an edited field: the entry's hash no longer matches its fields (or its payload its digest);
- an edit with the chain recomputed, a middle entry deleted and the chain relinked, a reorder, a
  whole register replaced by a consistent forgery: the entries' signatures are not the service's;
- the last entries deleted and the head moved back (truncation): a head anchored outside the
  database, signed by the service, has a seq the register no longer reaches.

Every entry's signature is checked: checking only the head's (or the anchored entries') with the
full hash chain would catch every rewrite, since a signed hash pins every entry before it, but
not a corrupted signature on an intact entry, and it could not name the first bad entry of a
rewritten tail. Everything around the signatures is cheap: the rows stream as plain tuples in
batches (bounded memory, no ORM objects), each payload's canonical JSON is made once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.anchors import AnchorState
from store import tables
from store.registers import (
    ERASURES,
    GENESIS,
    entry_hash,
    hashed_fields,
    payload_digest,
    service_key,
)
from store.signing import head_signature_ok, public_half


@dataclass(frozen=True, slots=True)
class Anchor:
    """A signed head kept outside the database: ``source`` says where (e.g. ``temporal``)."""

    register: str
    seq: int
    hash: str
    signature: str
    source: str


def anchors_by_register(state: AnchorState) -> dict[str, list[Anchor]]:
    """The signed heads the anchor workflow holds in Temporal, by register."""
    found: dict[str, list[Anchor]] = {}
    for h in state.anchored:
        found.setdefault(h.name, []).append(Anchor(h.name, h.seq, h.hash, h.signature, "temporal"))
    return found


@dataclass(frozen=True, slots=True)
class ChainVerification:
    """Result of verifying a register: ``first_bad_seq`` is where it first breaks, and why."""

    register: str
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    reason: str | None = None
    anchored_seq: int | None = None
    hash: str = GENESIS  # the chained hash of entry ``entries`` (what a later check continues)
    from_seq: int = 1  # the first entry read (1: the whole chain)
    complete: bool = True  # False: stopped at ``limit`` before the head (the head not checked)


def service_public_key(session: AsyncSession) -> Ed25519PublicKey:
    """The public half of the key the session's appends sign with."""
    return public_half(service_key(session))


_ENTRY = tables.RegisterEntry
_COLUMNS = (
    _ENTRY.register, _ENTRY.seq, _ENTRY.actor, _ENTRY.recorded_at, _ENTRY.subject, _ENTRY.kind,
    _ENTRY.payload, _ENTRY.payload_salt, _ENTRY.payload_digest, _ENTRY.erased_by,
    _ENTRY.prev_hash, _ENTRY.hash, _ENTRY.signature,
)  # fmt: skip
BATCH = 1000


def _row_problem(
    row: Any, expected_prev: str, public: Ed25519PublicKey, erased: set[int]
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
    row = (
        await session.execute(
            select(*_COLUMNS).where(_ENTRY.register == ERASURES, _ENTRY.seq == erasure_seq)
        )
    ).first()
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
    after: tuple[int, str] = (0, GENESIS),
    limit: int | None = None,
) -> ChainVerification:
    """Verify every entry of ``register``, its head, and ``anchors`` (signed heads kept outside).

    ``after`` (seq, hash): continue a chain verified up to that entry (its stored hash must
    still be that one); ``limit``: read at most that many entries, and say so (``complete``)
    when the head is further on. Read-only."""
    public = public or service_public_key(session)
    wanted = {a.seq: a for a in anchors if _anchor_ok(public, register, a)}
    count, expected_prev = after
    found = await _hashes_before(session, register, [s for s in wanted if s <= count])
    stored = await _hash_at(session, register, count) if count else expected_prev
    if stored != expected_prev:
        reason = f"entry {'is missing' if stored is None else 'differs'} since it was verified"
        return ChainVerification(register, count, False, count, reason, from_seq=count)
    # The head first, and no entry after it: on PostgreSQL each statement reads what is
    # committed when it starts, so a head read after the entries could be one an append moved
    # on meanwhile, and a sound register would fail (``_beyond_head`` then finds forged tails).
    head = await session.get(tables.RegisterHead, register, populate_existing=True)
    erased: set[int] = set()
    query = select(*_COLUMNS).where(_ENTRY.register == register, _ENTRY.seq > count)
    if head is not None:
        query = query.where(_ENTRY.seq <= head.seq)
    query = query.order_by(_ENTRY.seq).limit(limit).execution_options(yield_per=BATCH)
    # A batch at a time: one switch into the database driver per BATCH rows, not per row.
    async for rows in (await session.stream(query)).partitions(BATCH):
        for row in rows:
            count += 1
            if row.erased_by is not None and row.seq not in erased:
                erased |= await _erased_seqs(session, register, public, row.erased_by)
            problem = "entry missing or out of order" if row.seq != count else None
            problem = problem or _row_problem(row, expected_prev, public, erased)
            if problem:
                start = after[0] + 1
                return ChainVerification(register, count, False, count, problem, from_seq=start)
            if count in wanted:
                found[count] = row.hash
            expected_prev = row.hash
    ends = _Ends(public, count, expected_prev, wanted, found, after[0] + 1, head)
    return await _verify_ends(session, register, ends, stopped=limit is not None)


async def _hash_at(session: AsyncSession, register: str, seq: int) -> str | None:
    found: str | None = await session.scalar(
        select(_ENTRY.hash).where(_ENTRY.register == register, _ENTRY.seq == seq)
    )
    return found


async def _hashes_before(session: AsyncSession, register: str, seqs: list[int]) -> dict[int, str]:
    """The stored hashes of already verified entries an anchor names (one point read each)."""
    return {seq: h for seq in seqs if (h := await _hash_at(session, register, seq)) is not None}


def _anchor_ok(public: Ed25519PublicKey, register: str, anchor: Anchor) -> bool:
    return anchor.register == register and head_signature_ok(
        public, register, anchor.seq, anchor.hash, anchor.signature
    )


@dataclass(frozen=True, slots=True)
class _Ends:
    public: Ed25519PublicKey
    count: int
    last_hash: str
    wanted: dict[int, Anchor]
    found: dict[int, str]
    from_seq: int
    head: tables.RegisterHead | None  # read before the entries


async def _beyond_head(session: AsyncSession, register: str, seq: int) -> bool:
    """Entries after ``seq`` that no head covers. An append writes its entry and moves the head
    in one transaction, so a head read after the entries covers every sound one."""
    last = await session.scalar(select(func.max(_ENTRY.seq)).where(_ENTRY.register == register))
    if last is None or last <= seq:
        return False
    newer = await session.scalar(
        select(tables.RegisterHead.seq).where(tables.RegisterHead.register == register)
    )
    return newer is None or newer < last


async def _verify_ends(
    session: AsyncSession, register: str, ends: _Ends, *, stopped: bool
) -> ChainVerification:
    count, wanted, public, head = ends.count, ends.wanted, ends.public, ends.head
    partial = stopped and head is not None and head.seq > count
    checked = {s: a for s, a in wanted.items() if not partial or s <= count}
    anchored = max(checked, default=None)

    def failed(seq: int, reason: str) -> ChainVerification:
        return ChainVerification(
            register, count, False, seq, reason, anchored, from_seq=ends.from_seq
        )

    for seq in sorted(checked):
        anchor = checked[seq]
        if seq > count:
            return failed(
                count + 1, f"entries up to seq {seq} (anchored in {anchor.source}) are missing"
            )
        if ends.found.get(seq) != anchor.hash:
            return failed(seq, f"entry differs from its head anchored in {anchor.source}")
    if partial:
        return ChainVerification(
            register, count, True, None, None, anchored, ends.last_hash, ends.from_seq, False
        )
    head_ok = (head is None and count == 0) or (
        head is not None
        and head.seq == count
        and head.hash == ends.last_hash
        and (count == 0 or head_signature_ok(public, register, count, head.hash, head.signature))
    )
    if not head_ok or await _beyond_head(session, register, count):
        return failed(count + 1, "head does not match the last entry")
    return ChainVerification(
        register, count, True, None, None, anchored, ends.last_hash, ends.from_seq
    )
