"""The attacks of an adversary who can write the database but holds no key (the threat model
in the README's "Guarantees"), and the verifier as it was before it read plain rows (ORM rows, the
same checks per row): the oracle today's verdicts are compared with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store import register_verify, tables
from store.anchors import signed_heads
from store.db import transaction
from store.register_verify import Anchor, ChainVerification
from store.registers import GENESIS, append_entry, entry_hash, hashed_fields, payload_digest
from store.signing import sign_head

REGISTER = "near-miss-reliability-case-register"
AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ATTACKER = Ed25519PrivateKey.generate()  # the attacker's own key: not the service's
Rows = list[dict[str, Any]]
COLUMNS = ("register", "seq", "actor", "recorded_at", "subject", "kind", "payload")
KEPT = ("payload_salt", "hash", "signature")


async def seed(sessions: async_sessionmaker[AsyncSession], n: int = 6) -> list[Anchor]:
    for i in range(1, n + 1):
        async with transaction(sessions) as session:
            await append_entry(
                session,
                REGISTER,
                actor=f"E-{i}",
                recorded_at=AT + timedelta(minutes=i),
                subject=f"ack-case-NM-{i}",
                kind="triage_attribution",
                payload={"owner": f"E-{i}", "classification": "acknowledgment-gap"},
            )
    async with sessions() as session:
        heads, _ = await signed_heads(session)
    return [Anchor(h.name, h.seq, h.hash, h.signature, "outside copy") for h in heads]


async def stored_rows(session: AsyncSession) -> Rows:
    found = await session.scalars(
        select(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == REGISTER)
        .order_by(tables.RegisterEntry.seq)
    )
    return [{c: getattr(r, c) for c in (*COLUMNS, *KEPT)} for r in found]


async def _rewrite(session: AsyncSession, rows: Rows) -> None:
    """Replace the register by ``rows``, renumbered and re-chained (what anyone with SHA-256 can
    do): an entry whose hash comes out unchanged keeps the service's signature, every other one
    gets the attacker's (the only key the attacker has)."""
    await session.execute(
        delete(tables.RegisterEntry).where(tables.RegisterEntry.register == REGISTER)
    )
    prev = signature = GENESIS
    for seq, row in enumerate(rows, start=1):
        fields = {c: row[c] for c in COLUMNS}
        salt = row.get("payload_salt", "s")
        entry = tables.RegisterEntry(**{**fields, "seq": seq}, payload_salt=salt, prev_hash=prev)
        entry.payload_digest = payload_digest(salt, row["payload"])
        entry.hash = entry_hash(prev, hashed_fields(entry))
        kept = entry.hash == row.get("hash")
        signature = row["signature"] if kept else sign_head(ATTACKER, REGISTER, seq, entry.hash)
        entry.signature = signature
        session.add(entry)
        prev = entry.hash
    await session.flush()
    await _move_head(session, len(rows), prev, signature)


async def _move_head(session: AsyncSession, seq: int, hash_: str, signature: str) -> None:
    await session.execute(
        update(tables.RegisterHead)
        .where(tables.RegisterHead.register == REGISTER)
        .values(
            seq=seq, hash=hash_, signature=signature or sign_head(ATTACKER, REGISTER, seq, hash_)
        )
    )


async def edit_a_field(session: AsyncSession) -> None:
    await session.execute(
        update(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 3)
        .values(payload={"owner": "E-someone-else", "classification": "acknowledgment-gap"})
    )


async def edit_and_recompute(session: AsyncSession) -> None:
    rows = await stored_rows(session)
    rows[2]["payload"] = {"owner": "E-someone-else", "classification": "no-gap"}
    await _rewrite(session, rows)


async def delete_last_and_move_head(session: AsyncSession) -> None:
    last = await session.scalar(
        select(tables.RegisterEntry).where(
            tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 5
        )
    )
    assert last is not None
    await session.execute(
        delete(tables.RegisterEntry).where(
            tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 6
        )
    )
    await _move_head(session, 5, last.hash, last.signature)  # the service's own old signature


async def delete_middle_and_relink(session: AsyncSession) -> None:
    rows = await stored_rows(session)
    await _rewrite(session, rows[:2] + rows[3:])


async def reorder(session: AsyncSession) -> None:
    rows = await stored_rows(session)
    rows[2], rows[3] = rows[3], rows[2]
    await _rewrite(session, rows)


async def truncate(session: AsyncSession) -> None:
    second = await session.scalar(
        select(tables.RegisterEntry).where(
            tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 2
        )
    )
    assert second is not None
    await session.execute(
        delete(tables.RegisterEntry).where(
            tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq > 2
        )
    )
    await _move_head(session, 2, second.hash, second.signature)


async def replace_with_forgery(session: AsyncSession) -> None:
    forged = [
        {
            "register": REGISTER,
            "seq": i,
            "actor": "E-FORGER",
            "recorded_at": AT + timedelta(minutes=i),
            "subject": f"ack-case-NM-{i}",
            "kind": "triage_attribution",
            "payload": {"owner": "E-FORGER", "classification": "no-gap"},
        }
        for i in range(1, 7)
    ]
    await _rewrite(session, forged)


Attack = Callable[[AsyncSession], Awaitable[None]]
# attack, first bad seq, whether the database alone shows it (else an outside head is needed)
ATTACKS: list[tuple[Attack, int, bool]] = [
    (edit_a_field, 3, True),
    (edit_and_recompute, 3, True),
    (delete_last_and_move_head, 6, False),
    (delete_middle_and_relink, 3, True),
    (reorder, 3, True),
    (truncate, 3, False),
    (replace_with_forgery, 1, True),
]


async def corrupt_a_signature(session: AsyncSession) -> None:
    """An intact entry whose signature bytes are damaged (the hash chain is untouched)."""
    await session.execute(
        update(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 4)
        .values(signature="ab" * 64)
    )


ATTACKS.append((corrupt_a_signature, 4, True))


async def verify_as_before(
    session: AsyncSession,
    register: str,
    *,
    public: Ed25519PublicKey | None = None,
    anchors: list[Anchor] | None = None,
) -> ChainVerification:
    """``verify_chain`` as it was at ac3429e: ORM rows, then the same ends (anchors, head)."""
    public = public or register_verify.service_public_key(session)
    wanted = {a.seq: a for a in anchors or [] if register_verify._anchor_ok(public, register, a)}
    found: dict[int, str] = {}
    count, prev = 0, GENESIS
    rows = await session.scalars(
        select(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == register)
        .order_by(tables.RegisterEntry.seq)
        .execution_options(populate_existing=True)
    )
    for row in rows:
        count += 1
        problem = "entry missing or out of order" if row.seq != count else None
        problem = problem or register_verify._row_problem(row, prev, public, set())
        if problem:
            return ChainVerification(register, count, False, count, problem)
        if count in wanted:
            found[count] = row.hash
        prev = row.hash
    head = await session.get(tables.RegisterHead, register, populate_existing=True)
    ends = register_verify._Ends(public, count, prev, wanted, found, 1, head)
    return await register_verify._verify_ends(session, register, ends, stopped=False)
