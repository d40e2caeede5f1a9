"""The seven attacks of an adversary who can write the database but holds no key (the threat
model in the README's "Guarantees"): each one is detected and the first bad entry named.

Heads kept outside the database are what the anchor workflow records in Temporal's history,
packs print and checkpoint mails carry; here they are the signed heads read before the attack
(``test_register_anchor.py`` runs the real anchor workflow). Attacks that only rewrite rows are
found without any outside head; cutting entries off the end needs one, and is found with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store import tables
from store.anchors import signed_heads
from store.db import transaction
from store.register_verify import Anchor, verify_chain
from store.registers import GENESIS, append_entry, entry_hash, hashed_fields, payload_digest
from store.signing import sign_head

REGISTER = "near-miss-reliability-case-register"
AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ATTACKER = Ed25519PrivateKey.generate()  # the attacker's own key: not the service's
Rows = list[dict[str, Any]]
COLUMNS = ("register", "seq", "actor", "recorded_at", "subject", "kind", "payload")
KEPT = ("payload_salt", "hash", "signature")


async def _seed(sessions: async_sessionmaker[AsyncSession], n: int = 6) -> list[Anchor]:
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


async def _rows(session: AsyncSession) -> Rows:
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
    rows = await _rows(session)
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
    rows = await _rows(session)
    await _rewrite(session, rows[:2] + rows[3:])


async def reorder(session: AsyncSession) -> None:
    rows = await _rows(session)
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


@pytest.mark.parametrize(
    ("attack", "first_bad", "alone"), ATTACKS, ids=[a.__name__ for a, *_ in ATTACKS]
)
async def test_attack_is_detected(sessions, attack: Attack, first_bad: int, alone: bool) -> None:
    outside = await _seed(sessions)
    async with sessions() as session:
        before = await verify_chain(session, REGISTER, anchors=outside)
    assert before.ok and before.entries == 6 and before.anchored_seq == 6
    async with transaction(sessions) as session:
        await attack(session)
    async with sessions() as session:
        anchored = await verify_chain(session, REGISTER, anchors=outside)
        db_only = await verify_chain(session, REGISTER)
    print(f"{attack.__name__}: first bad seq {anchored.first_bad_seq} ({anchored.reason})")
    assert not anchored.ok and anchored.first_bad_seq == first_bad, anchored
    assert db_only.ok is not alone, db_only  # what the database alone can and cannot show


async def test_a_signature_copied_to_another_seq_does_not_verify(sessions) -> None:
    await _seed(sessions, 3)
    async with transaction(sessions) as session:
        rows = await _rows(session)
        await session.execute(
            update(tables.RegisterEntry)
            .where(tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 2)
            .values(signature=rows[0]["signature"])
        )
    async with sessions() as session:
        result = await verify_chain(session, REGISTER)
    assert not result.ok and result.first_bad_seq == 2


async def test_a_forged_outside_head_changes_nothing(sessions) -> None:
    await _seed(sessions, 2)
    forged = Anchor(REGISTER, 9, "f" * 64, sign_head(ATTACKER, REGISTER, 9, "f" * 64), "forged")
    async with sessions() as session:
        result = await verify_chain(session, REGISTER, anchors=[forged])
    assert result.ok and result.anchored_seq is None
