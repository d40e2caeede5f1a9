"""Erasure on request (UK GDPR): remove a person's data from register payloads, chain intact,
and from every other table (store.erasure_rows).

The chain covers each payload's salted digest, not the payload, so a payload and its salt can
be removed while every hash and signature still verifies. The erasure is itself an entry of the
``erasures`` register naming the request and the (register, seq) pairs it erased, never the
person; an erased entry points at it (``erased_by``), and verification accepts a missing payload
only where such a signed erasure entry lists it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store import tables
from store.erasure_rows import (
    ERASED,
    Person,
    contains_any,
    erase_rows,
    erasure_token,
    find_person,
)
from store.registers import ERASURES, RegisterEntry, append_entry


async def erase_person(
    session: AsyncSession, person: str, *, actor: str, at: datetime, request_ref: str
) -> RegisterEntry | None:
    """Erase a person (employee ID or email) everywhere: every register payload holding one of
    their values, and those values in every other table (store.erasure_rows); record the erasure
    with what it changed. None when nothing held them. Runs in the caller's transaction."""
    found = await find_person(session, person)
    if found is None:  # not in the staff directory: the identifier alone
        found = Person(person, {person: ERASED if "@" in person else erasure_token()})
    entry = tables.RegisterEntry
    rows = await session.scalars(
        select(entry)
        .where(
            entry.register != ERASURES,
            entry.erased_by.is_(None),
            or_(*contains_any(entry.payload, found.replacements)),
        )
        .order_by(entry.register, entry.seq)
    )
    hits = [(row.id, row.register, row.seq) for row in rows if found.mentioned_in(row.payload)]
    changed = await erase_rows(session, found)
    if not hits and not changed:
        return None
    erasure = await append_entry(
        session,
        ERASURES,
        actor=actor,
        recorded_at=at,
        subject=request_ref,
        kind="payloads_erased",
        payload={
            "request": request_ref,
            "entries": [{"register": r, "seq": s} for _, r, s in hits],
            "rows": changed,
        },
    )
    if hits:
        await session.execute(
            update(entry)
            .where(entry.id.in_([row_id for row_id, _, _ in hits]))
            .values(payload={}, payload_salt="", erased_by=erasure.seq)
            .execution_options(synchronize_session=False)
        )
    return erasure
