"""Recorded register verifications, so a page shows each chain's state without re-reading it.

A check on view continues each chain from the last entry verified (``verify_chain(after=...)``)
and reads at most ``VIEW_LIMIT`` new entries; a full verification (on demand and on the daily
schedule) reads every entry again: the only check that finds an old entry altered after it was
verified. Both record what they checked here. A record is signed with the service's key, so a
database writer without it cannot forge one (a record whose signature is not the service's
counts as none); a failure stands until a full verification passes. Such a writer can put back
an older record of the same register (nothing outside the database holds the latest): that
hides a failure only until the last full verification it shows is 26 h old (the stale alert),
and each nightly run's result stays in Temporal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from store.register_verify import Anchor, ChainVerification, service_public_key, verify_chain
from store.registers import GENESIS, service_key
from store.sources import canonical_json
from store.tables import RegisterVerification

VIEW_LIMIT = 5_000  # entries a page view checks per register at most (about a second)
FULL, VIEW = "full", "view"
_SIGNED = (
    "register", "verified_seq", "verified_hash", "checked_at", "first_bad_seq", "reason",
    "found_by", "full_at", "full_seq", "full_ok",
)  # fmt: skip


def _message(values: dict[str, Any]) -> bytes:
    fields = {
        name: value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
        for name, value in ((n, values[n]) for n in _SIGNED)
    }
    return ("nearmiss-register-verification\n" + canonical_json(fields)).encode()


def _values(row: RegisterVerification) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _SIGNED}


async def recorded(session: AsyncSession) -> dict[str, RegisterVerification]:
    """Every register's recorded verification whose signature is the service's."""
    public = service_public_key(session)
    found = {}
    rows = await session.scalars(
        select(RegisterVerification).execution_options(populate_existing=True)
    )
    for row in rows:
        try:
            public.verify(bytes.fromhex(row.signature), _message(_values(row)))
        except (InvalidSignature, ValueError):
            continue
        found[row.register] = row
    return found


async def _save(
    session: AsyncSession,
    values: dict[str, Any],
    before: RegisterVerification | None,
    *,
    full: bool = False,
) -> RegisterVerification:
    """Upsert the record; a check on view writes only over the record it continued (no failure
    recorded since, no full verification finished meanwhile), else the stored one is returned
    (what the page shows is what is recorded)."""
    key = service_key(session)
    values = {**values, "signature": key.sign(_message(values)).hex()}
    dialect = (await session.connection()).dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RegisterVerification)
    where = None
    if not full:
        table = RegisterVerification
        where = table.first_bad_seq.is_(None) & table.full_at.is_not_distinct_from(
            before.full_at if before else None
        )
    update = {k: v for k, v in values.items() if k != "register"}
    written = await session.scalar(
        insert.values(**values)
        .on_conflict_do_update(index_elements=["register"], set_=update, where=where)
        .returning(RegisterVerification.register)
    )
    stored = None if written else (await recorded(session)).get(values["register"])
    return stored or RegisterVerification(**values)


def _full_fields(before: RegisterVerification | None) -> dict[str, Any]:
    names = ("full_at", "full_seq", "full_ok")
    return {n: getattr(before, n) if before else None for n in names}


async def check_new_entries(
    session: AsyncSession,
    register: str,
    *,
    at: datetime,
    anchors: Iterable[Anchor] = (),
    before: RegisterVerification | None = None,
    limit: int | None = VIEW_LIMIT,
) -> RegisterVerification:
    """Continue the register's verification from ``before`` (its record) through at most
    ``limit`` new entries (None: all of them) and its head, and record it; a recorded failure
    is returned as it is."""
    if before is not None and before.first_bad_seq is not None:
        return before
    after = (before.verified_seq, before.verified_hash) if before else (0, GENESIS)
    result = await verify_chain(session, register, anchors=anchors, after=after, limit=limit)
    values = {
        "register": register,
        "verified_seq": result.entries if result.ok else after[0],
        "verified_hash": result.hash if result.ok else after[1],
        "checked_at": at,
        "first_bad_seq": result.first_bad_seq,
        "reason": result.reason,
        "found_by": None if result.ok else VIEW,
        **_full_fields(before),
    }
    return await _save(session, values, before)


async def verify_in_full(
    session: AsyncSession,
    register: str,
    *,
    at: datetime,
    anchors: Iterable[Anchor] = (),
    before: RegisterVerification | None = None,
) -> ChainVerification:
    """Verify every entry of the register again (``verify_chain``) and record it; the entries
    an earlier verification reached must still be there (a cut-back chain fails)."""
    result = await verify_chain(session, register, anchors=anchors)
    if result.ok and before is not None and before.verified_seq > result.entries:
        reason = f"entries up to seq {before.verified_seq} (verified before) are missing"
        result = ChainVerification(
            register, result.entries, False, result.entries + 1, reason, result.anchored_seq
        )
    values = {
        "register": register,
        "verified_seq": result.entries if result.ok else (before.verified_seq if before else 0),
        "verified_hash": result.hash
        if result.ok
        else (before.verified_hash if before else GENESIS),
        "checked_at": at,
        "first_bad_seq": result.first_bad_seq,
        "reason": result.reason,
        "found_by": None if result.ok else FULL,
        "full_at": at,
        "full_seq": result.entries,
        "full_ok": result.ok,
    }
    await _save(session, values, before, full=True)
    return result
