"""Reading a register back: its entries in chain order or a page newest first, the entry a
retried append finds instead of writing twice, the entry a request wrote, and the heads. The
chain itself (hashing, signing, appending under the head lock): ``store.registers``."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store import tables
from store.registers import RegisterEntry


async def entries(
    session: AsyncSession, register: str, subject: str | None = None
) -> list[RegisterEntry]:
    """The register's entries in chain order (only ``subject``'s when given)."""
    query = select(tables.RegisterEntry).where(tables.RegisterEntry.register == register)
    if subject is not None:
        query = query.where(tables.RegisterEntry.subject == subject)
    rows = await session.scalars(query.order_by(tables.RegisterEntry.seq))
    return [_model(row) for row in rows]


async def entries_newest_first(
    session: AsyncSession, register: str, *, before_seq: int | None = None, limit: int = 50
) -> list[RegisterEntry]:
    """A bounded page of the register's entries, newest first: those below ``before_seq``
    (keyset paging on the chain's seq) when given."""
    query = select(tables.RegisterEntry).where(tables.RegisterEntry.register == register)
    if before_seq is not None:
        query = query.where(tables.RegisterEntry.seq < before_seq)
    rows = await session.scalars(query.order_by(tables.RegisterEntry.seq.desc()).limit(limit))
    return [_model(row) for row in rows]


def _model(row: tables.RegisterEntry) -> RegisterEntry:
    return RegisterEntry(**{name: getattr(row, name) for name in _FIELDS})


_FIELDS = tuple(field.name for field in fields(RegisterEntry))


async def stored_entry(
    session: AsyncSession,
    *,
    subject: str,
    kind: str,
    register: str | None = None,
    recorded_at: datetime | None = None,
    actor: str | None = None,
) -> tables.RegisterEntry | None:
    """An entry already stored about SUBJECT of KIND (in REGISTER, at RECORDED_AT, by ACTOR where
    given): what a retried append finds instead of writing twice."""
    row = tables.RegisterEntry
    query = select(row).where(row.subject == subject, row.kind == kind)
    if register is not None:
        query = query.where(row.register == register)
    if recorded_at is not None:
        query = query.where(row.recorded_at == recorded_at)
    if actor is not None:
        query = query.where(row.actor == actor)
    found: tables.RegisterEntry | None = await session.scalar(query)
    return found


async def earlier_append(
    session: AsyncSession,
    *,
    register: str,
    subject: str,
    kind: str,
    recorded_at: datetime,
    actor: str,
    request_id: str | None,
) -> tables.RegisterEntry | None:
    """What a retried append finds instead of writing twice, in one read of SUBJECT's entries
    in REGISTER: the entry of KIND at RECORDED_AT by ACTOR, else the one whose payload carries
    REQUEST_ID (a workflow task retried after a worker crash runs at a later instant).

    The same answer as ``stored_entry`` with all of those, then ``find_request``."""
    rows = (
        await session.scalars(
            select(tables.RegisterEntry)
            .where(tables.RegisterEntry.register == register)
            .where(tables.RegisterEntry.subject == subject)
            .order_by(tables.RegisterEntry.seq)
        )
    ).all()
    for row in rows:
        if row.kind == kind and row.recorded_at == recorded_at and row.actor == actor:
            return row
    if request_id is None:
        return None
    return next((row for row in rows if row.payload.get("request_id") == request_id), None)


async def find_request(
    session: AsyncSession, register: str, subject: str, request_id: str, *, by_key: bool = False
) -> RegisterEntry | None:
    """The entry a request (its ``request_id`` in the payload) wrote about SUBJECT, if any.

    ``by_key``: ``request_id`` is an Idempotency-Key, and the entry's ID is that key with its
    request's fingerprint (``api.idempotency.keyed_update_id``: ``KEY#…``) or the key itself."""
    rows = await session.scalars(
        select(tables.RegisterEntry)
        .where(tables.RegisterEntry.register == register, tables.RegisterEntry.subject == subject)
        .order_by(tables.RegisterEntry.seq)
    )
    for row in rows:
        found = row.payload.get("request_id")
        if found == request_id or (
            by_key and isinstance(found, str) and found.startswith(request_id + "#")
        ):
            return _model(row)
    return None


async def heads(session: AsyncSession) -> list[tables.RegisterHead]:
    """Every register's head (its last seq and hash), by register name."""
    rows = await session.scalars(select(tables.RegisterHead).order_by(tables.RegisterHead.register))
    return list(rows.all())


async def register_exists(session: AsyncSession, register: str) -> bool:
    """Whether REGISTER has a head (has ever had an entry appended)."""
    found = await session.scalar(
        select(func.count())
        .select_from(tables.RegisterHead)
        .where(tables.RegisterHead.register == register)
    )
    return bool(found)
