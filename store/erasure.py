"""Erasure on request (UK GDPR): remove a person's data from register payloads, chain intact.

The chain covers each payload's salted digest, not the payload, so a payload and its salt can
be removed while every hash and signature still verifies. The erasure is itself an entry of the
``erasures`` register naming the request and the (register, seq) pairs it erased, never the
person; an erased entry points at it (``erased_by``), and verification accepts a missing payload
only where such a signed erasure entry lists it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store import tables
from store.registers import ERASURES, RegisterEntry, append_entry


def mentions(value: Any, needle: str) -> bool:
    """Whether a JSON value holds ``needle`` as a whole string anywhere inside it."""
    if isinstance(value, str):
        return value == needle
    if isinstance(value, dict):
        return any(mentions(v, needle) for v in value.values())
    if isinstance(value, list):
        return any(mentions(v, needle) for v in value)
    return False


async def erase_person(
    session: AsyncSession, person: str, *, actor: str, at: datetime, request_ref: str
) -> RegisterEntry | None:
    """Erase every register payload holding ``person`` (an employee ID, email, …) and record the
    erasure; None when nothing held it. Runs in the caller's transaction."""
    rows = await session.scalars(
        select(tables.RegisterEntry)
        .where(
            tables.RegisterEntry.register != ERASURES,
            tables.RegisterEntry.erased_by.is_(None),
            cast(tables.RegisterEntry.payload, String).contains(person, autoescape=True),
        )
        .order_by(tables.RegisterEntry.register, tables.RegisterEntry.seq)
    )
    hits = [(row.id, row.register, row.seq) for row in rows if mentions(row.payload, person)]
    if not hits:
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
        },
    )
    await session.execute(
        update(tables.RegisterEntry)
        .where(tables.RegisterEntry.id.in_([row_id for row_id, _, _ in hits]))
        .values(payload={}, payload_salt="", erased_by=erasure.seq)
        .execution_options(synchronize_session=False)
    )
    return erasure
