"""The attacks of an adversary who can write the database but holds no key (the threat model in
the README's "Guarantees"): each one is detected and the first bad entry named, with the same
verdict, entry and reason as the verifier before it streamed plain rows (the oracle in
``tests/register_tamper_support``).

Heads kept outside the database are what the anchor workflow records in Temporal's history,
packs print and checkpoint mails carry; here they are the signed heads read before the attack
(``test_register_anchor.py`` runs the real anchor workflow). Attacks that only rewrite rows are
found without any outside head; cutting entries off the end needs one, and is found with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update

from store import tables
from store.db import transaction
from store.register_checks import check_new_entries, recorded, verify_in_full
from store.register_verify import Anchor, verify_chain
from store.signing import sign_head
from tests.register_tamper_support import (
    ATTACKER,
    ATTACKS,
    REGISTER,
    Attack,
    seed,
    stored_rows,
    verify_as_before,
)

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attack", "first_bad", "alone"), ATTACKS, ids=[a.__name__ for a, *_ in ATTACKS]
)
async def test_attack_is_detected(sessions, attack: Attack, first_bad: int, alone: bool) -> None:
    outside = await seed(sessions)
    async with sessions() as session:
        before = await verify_chain(session, REGISTER, anchors=outside)
    assert before.ok and before.entries == 6 and before.anchored_seq == 6
    async with transaction(sessions) as session:
        await attack(session)
    async with sessions() as session:
        anchored = await verify_chain(session, REGISTER, anchors=outside)
        db_only = await verify_chain(session, REGISTER)
        oracle = await verify_as_before(session, REGISTER, anchors=outside)
        oracle_db_only = await verify_as_before(session, REGISTER)
    print(f"{attack.__name__}: first bad seq {anchored.first_bad_seq} ({anchored.reason})")
    assert not anchored.ok and anchored.first_bad_seq == first_bad, anchored
    assert db_only.ok is not alone, db_only  # what the database alone can and cannot show
    same = ("ok", "first_bad_seq", "reason", "entries", "anchored_seq")
    for got, was in ((anchored, oracle), (db_only, oracle_db_only)):
        assert [getattr(got, f) for f in same] == [getattr(was, f) for f in same]


@pytest.mark.parametrize(
    ("attack", "first_bad", "alone"), ATTACKS, ids=[a.__name__ for a, *_ in ATTACKS]
)
async def test_a_full_verification_finds_an_attack_on_verified_entries(
    sessions, attack: Attack, first_bad: int, alone: bool
) -> None:
    """Once every entry has been verified and recorded, an attack is found by the full
    verification, at the same entry, with no outside head (the record's seq serves as one
    against a cut-back chain); the check of new entries never says more than it read."""
    await seed(sessions)
    async with transaction(sessions) as session:
        await verify_in_full(session, REGISTER, at=NOW)
    async with transaction(sessions) as session:
        await attack(session)
    async with transaction(sessions) as session:
        before = (await recorded(session))[REGISTER]
        viewed = await check_new_entries(session, REGISTER, at=NOW, before=before)
    assert viewed.first_bad_seq is None or viewed.first_bad_seq >= first_bad
    async with transaction(sessions) as session:
        full = await verify_in_full(session, REGISTER, at=NOW, before=before)
    assert not full.ok and full.first_bad_seq == first_bad, (alone, full)
    async with transaction(sessions) as session:
        record = (await recorded(session))[REGISTER]
    assert (record.first_bad_seq, record.found_by, record.full_ok) == (first_bad, "full", False)


async def test_a_signature_copied_to_another_seq_does_not_verify(sessions) -> None:
    await seed(sessions, 3)
    async with transaction(sessions) as session:
        rows = await stored_rows(session)
        await session.execute(
            update(tables.RegisterEntry)
            .where(tables.RegisterEntry.register == REGISTER, tables.RegisterEntry.seq == 2)
            .values(signature=rows[0]["signature"])
        )
    async with sessions() as session:
        result = await verify_chain(session, REGISTER)
        oracle = await verify_as_before(session, REGISTER)
    assert not result.ok and result.first_bad_seq == 2
    assert (result.first_bad_seq, result.reason) == (oracle.first_bad_seq, oracle.reason)


async def test_the_wrong_public_key_fails_at_the_first_entry(sessions) -> None:
    await seed(sessions, 3)
    other = Ed25519PrivateKey.generate().public_key()
    async with sessions() as session:
        result = await verify_chain(session, REGISTER, public=other)
        oracle = await verify_as_before(session, REGISTER, public=other)
    assert (result.ok, result.first_bad_seq, result.reason) == (
        False,
        1,
        "signature is not the service's",
    )
    assert (oracle.ok, oracle.first_bad_seq, oracle.reason) == (False, 1, result.reason)


async def test_a_forged_outside_head_changes_nothing(sessions) -> None:
    await seed(sessions, 2)
    forged = Anchor(REGISTER, 9, "f" * 64, sign_head(ATTACKER, REGISTER, 9, "f" * 64), "forged")
    async with sessions() as session:
        result = await verify_chain(session, REGISTER, anchors=[forged])
    assert result.ok and result.anchored_seq is None
