"""Registers, logs and workspaces for inspectors and governance roles, and chain verification.

Every register is append-only and hash-chained; ``/verify`` recomputes the chain so an inspector
can check for themselves that no entry was altered, removed or reordered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import func, select

from api.deps import ReaderActor, SessionDep
from api.errors import NotFound
from api.guard import GuardedRoute
from store.registers import entries, verify_chain
from store.tables import RegisterHead

router = APIRouter(prefix="/registers", tags=["registers"], route_class=GuardedRoute)


class RegisterSummary(BaseModel):
    name: str
    entries: int
    head_hash: str


class Entry(BaseModel):
    seq: int
    actor: str
    recorded_at: datetime
    subject: str
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class Verification(BaseModel):
    name: str
    entries: int
    ok: bool
    first_bad_seq: int | None


@router.get("")
async def list_registers(session: SessionDep, _actor: ReaderActor) -> list[RegisterSummary]:
    """Every register the service keeps, with its length and current head hash."""
    heads = (await session.scalars(select(RegisterHead).order_by(RegisterHead.register))).all()
    return [RegisterSummary(name=h.register, entries=h.seq, head_hash=h.hash) for h in heads]


async def _known(session: SessionDep, name: str) -> None:
    found = await session.scalar(
        select(func.count()).select_from(RegisterHead).where(RegisterHead.register == name)
    )
    if not found:
        raise NotFound(f"no register {name!r}")


@router.get("/{name}/entries")
async def register_entries(
    name: str,
    session: SessionDep,
    _actor: ReaderActor,
    subject: Annotated[str | None, Query(description="e.g. a case ID")] = None,
) -> list[Entry]:
    """The register's entries in order, each timestamped with its actor and chained."""
    await _known(session, name)
    rows = await entries(session, name, subject)
    return [
        Entry(
            seq=r.seq,
            actor=r.actor,
            recorded_at=r.recorded_at,
            subject=r.subject,
            kind=r.kind,
            payload=r.payload,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]


@router.get("/{name}/verify")
async def verify(name: str, session: SessionDep, _actor: ReaderActor) -> Verification:
    """Recompute the hash chain: ok, or the first entry that does not verify."""
    await _known(session, name)
    result = await verify_chain(session, name)
    return Verification(
        name=name, entries=result.entries, ok=result.ok, first_bad_seq=result.first_bad_seq
    )
