"""Registers, logs and workspaces for inspectors and governance roles, and chain verification.

Every register is append-only and hash-chained; ``/verify`` recomputes the chain so an inspector
can check for themselves that no entry was altered, removed or reordered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api.anchors import reader_anchors, temporal_anchors
from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep
from api.errors import FieldError, NotFound
from api.guard import GuardedRoute
from api.register_runs import VerificationRun, start_verification, verification_runs
from domain import names
from store.erasure import erase_person
from store.register_checks import recorded
from store.register_reads import entries, heads, register_exists
from store.register_verify import Anchor, ChainVerification, service_public_key, verify_chain
from store.registers import service_key
from store.signing import public_key_hex
from store.tables import RegisterVerification

router = APIRouter(prefix="/registers", tags=["registers"], route_class=GuardedRoute)


class RecordedVerification(BaseModel):
    """What the last checks of a register found (recorded, not re-run by this listing)."""

    verified_seq: int = Field(description="entries 1 to this one have been checked")
    checked_at: datetime
    first_bad_seq: int | None = Field(None, description="set when a check failed")
    reason: str | None = None
    full_verified_at: datetime | None = Field(None, description="the last full verification")
    full_ok: bool | None = None


class RegisterSummary(BaseModel):
    name: str
    entries: int
    head_hash: str
    verification: RecordedVerification | None = Field(
        None, description="none: never verified; POST …/verifications starts a full one"
    )


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
    reason: str | None = Field(None, description="why the first bad entry fails")
    anchored_seq: int | None = Field(
        None, description="the highest head checked that is kept outside the database"
    )
    anchor: str = Field("", description="which outside copies were checked")


class FullVerification(BaseModel):
    """A register's on-demand full verification: running (since when it was asked for), and
    what the last verifications recorded (a finished run's outcome is its record)."""

    name: str
    workflow_id: str = Field(description="the Temporal workflow that runs it")
    run_id: str | None = Field(None, description="its latest run (none: never started)")
    running: bool
    running_since: datetime | None = Field(None, description="when the running one was asked for")
    started: bool | None = Field(
        None, description="POST only: true when this request started it, false when it joined one"
    )
    recorded: RecordedVerification | None = Field(
        None, description="the last recorded verification (none: never verified)"
    )


class PublicKey(BaseModel):
    algorithm: str = "Ed25519"
    public_key: str = Field(description="64 hex digits; verifies every entry's signature")


class ErasureRequest(BaseModel):
    person: str = Field(min_length=3, max_length=320, description="employee ID, email, …")
    request_ref: str = Field(min_length=1, max_length=120, description="the request's reference")


class ErasureAnswer(BaseModel):
    erased: int = Field(description="register entries whose payload was erased")
    erasure_seq: int | None
    rows: dict[str, int] = Field(
        default_factory=dict, description="rows changed per other table (outbox withdrawn: deleted)"
    )


@router.get("")
async def list_registers(session: SessionDep, _actor: Authorized) -> list[RegisterSummary]:
    """Every register the service keeps, with its length, current head hash and its recorded
    verification (read, not re-run: a listing stays cheap at any register size)."""
    records = await recorded(session)
    return [
        RegisterSummary(
            name=h.register,
            entries=h.seq,
            head_hash=h.hash,
            verification=_recorded(records.get(h.register)),
        )
        for h in await heads(session)
    ]


def _recorded(row: RegisterVerification | None) -> RecordedVerification | None:
    if row is None:
        return None
    return RecordedVerification(
        verified_seq=row.verified_seq,
        checked_at=row.checked_at,
        first_bad_seq=row.first_bad_seq,
        reason=row.reason,
        full_verified_at=row.full_at,
        full_ok=row.full_ok,
    )


async def _known(session: SessionDep, name: str) -> None:
    if not await register_exists(session, name):
        field = FieldError(field="name", message="no register of this name")
        raise NotFound(f"no register {name!r}", [field])


@router.get("/public-key")
async def public_key(session: SessionDep, _actor: Authorized) -> PublicKey:
    """The service's register-signing public key (also printed in every pack)."""
    key = service_key(session)
    return PublicKey(public_key=public_key_hex(key))


@router.post("/erasures")
async def erase(
    body: ErasureRequest, session: SessionDep, actor: Authorized, now: Now
) -> ErasureAnswer:
    """Erase a person (employee ID or email) on request (UK GDPR): every register payload holding
    their values, and their values in source records, cases, reviews, packs and the outbox (the
    employee ID becomes a random token, so counts stay). The chains still verify and the erasure
    is an entry of the ``erasures`` register."""
    erasure = await erase_person(
        session,
        body.person,
        actor=actor.employee_id,
        at=now,
        request_ref=body.request_ref,
    )
    await session.commit()
    if erasure is None:
        return ErasureAnswer(erased=0, erasure_seq=None)
    return ErasureAnswer(
        erased=len(erasure.payload["entries"]),
        erasure_seq=erasure.seq,
        rows=erasure.payload["rows"],
    )


@router.get("/{name}/entries")
async def register_entries(
    name: str,
    session: SessionDep,
    _actor: Authorized,
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
async def verify(
    name: str,
    request: Request,
    session: SessionDep,
    _actor: Authorized,
    head: Annotated[
        list[str],
        Query(description="a signed head copied from a pack or checkpoint mail: SEQ:HASH:SIG"),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
) -> Verification:
    """Recompute the chain, every signature and payload digest, and compare with the heads kept
    outside the database (Temporal's anchor, and any ``head`` given): ok, or the first bad
    entry and why."""
    await _known(session, name)
    public = service_public_key(session)
    given = reader_anchors(public, name, head)
    anchored, where = await temporal_anchors(request.app, name)
    result = await verify_chain(session, name, public=public, anchors=[*anchored, *given])
    return _verification(result, where, given)


@router.post("/{name}/verifications", status_code=202)
async def verify_in_full_now(
    name: str, request: Request, response: Response, session: SessionDep, _actor: Authorized,
    now: Now,
) -> FullVerification:  # fmt: skip
    """Start a full verification of the register (every entry read again, as ``/verify``
    does, and the outcome recorded) as a Temporal workflow, or join the one running: 202, and
    ``Location`` is where to look (GET …/verifications/current). A second request while one
    runs starts nothing. 503 when Temporal cannot be reached."""
    await _known(session, name)
    run, started = await start_verification(request.app, name, now)
    response.headers["Location"] = f"/registers/{name}/verifications/current"
    return await _full(session, name, run, started)


@router.get("/{name}/verifications/current")
async def current_verification(
    name: str, request: Request, session: SessionDep, _actor: Authorized
) -> FullVerification:
    """Whether a full verification of the register runs now (and since when), and the last
    recorded verification (a finished run's outcome)."""
    await _known(session, name)
    runs = await verification_runs(request.app, [name])
    return await _full(session, name, runs.get(name), None)


async def _full(
    session: SessionDep, name: str, run: VerificationRun | None, started: bool | None
) -> FullVerification:
    running = run is not None and run.running
    return FullVerification(
        name=name,
        workflow_id=names.register_verification_id(name),
        run_id=run.run_id if run is not None else None,
        running=running,
        running_since=run.requested_at if run is not None and running else None,
        started=started,
        recorded=_recorded((await recorded(session)).get(name)),
    )


def _verification(result: ChainVerification, where: str, given: list[Anchor]) -> Verification:
    return Verification(
        name=result.register,
        entries=result.entries,
        ok=result.ok,
        first_bad_seq=result.first_bad_seq,
        reason=result.reason,
        anchored_seq=result.anchored_seq,
        anchor=where + (f"; {len(given)} given head(s) checked" if given else ""),
    )
