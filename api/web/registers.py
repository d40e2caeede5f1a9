"""Register pages for inspectors and governance roles: every register with its length, latest
entry, head and hash-chain verification, and one register's entries newest first (keyset-paged),
through the same store functions and verification as ``GET /registers/...``. Read-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.anchors import temporal_anchors
from api.authz import Authorized, may_see
from api.deps import Actor, SessionDep
from api.errors import NotFound
from api.web.render import local_time, render
from api.web.words import humanize
from store.pack_common import cases_of
from store.register_verify import ChainVerification, service_public_key, verify_chain
from store.registers import entries_newest_first, heads
from store.signing import public_key_hex
from store.staff import staff_names
from store.tables import RegisterHead

router = APIRouter(prefix="/app/registers", include_in_schema=False)
PAGE = 50


def verification_words(result: ChainVerification) -> str:
    """ "Verified 3 entries", or where and why the chain first fails."""
    if result.ok:
        return f"Verified {result.entries} {'entry' if result.entries == 1 else 'entries'}"
    return f"Failed at entry {result.first_bad_seq}: {result.reason}"


async def _verify(request: Request, session: AsyncSession, name: str) -> tuple[bool, str, str]:
    """The chain verified as ``GET /registers/{name}/verify`` does (Temporal's anchor too)."""
    anchored, where = await temporal_anchors(request.app, name)
    result = await verify_chain(session, name, public=service_public_key(session), anchors=anchored)
    return result.ok, verification_words(result), where


async def _head(session: AsyncSession, name: str) -> RegisterHead:
    found = next((h for h in await heads(session) if h.register == name), None)
    if found is None:
        raise NotFound(f"no register {name!r}")
    return found


@router.get("", response_class=HTMLResponse)
async def register_list(request: Request, session: SessionDep, _actor: Authorized) -> HTMLResponse:
    """Every register: its length, latest entry, head and whether its chain verifies."""
    tz = request.app.state.settings.timezone
    rows = []
    for head in await heads(session):
        latest = await entries_newest_first(session, head.register, limit=1)
        ok, words, where = await _verify(request, session, head.register)
        rows.append(
            {
                "name": head.register,
                "title": humanize(head.register),
                "entries": head.seq,
                "latest": local_time(latest[0].recorded_at, tz) if latest else "",
                "hash": head.hash,
                "ok": ok,
                "verification": words,
                "anchor": where,
            }
        )
    return render(request, "registers.html", {"registers": rows})


async def _subjects(session: AsyncSession, actor: Actor, subjects: set[str]) -> set[str]:
    """The subjects that are cases this person may open (their pages are linked)."""
    return {c.case_id for c in await cases_of(session, sorted(subjects)) if may_see(actor, c)}


@router.get("/{register}", response_class=HTMLResponse)
async def register_page(
    register: str,
    request: Request,
    session: SessionDep,
    actor: Authorized,
    before: Annotated[int | None, Query(ge=1, description="entries below this seq")] = None,
) -> HTMLResponse:
    """One register's entries, newest first, a page at a time, and how to re-verify it."""
    tz = request.app.state.settings.timezone
    head = await _head(session, register)
    rows = await entries_newest_first(session, register, before_seq=before, limit=PAGE)
    names = await staff_names(session, {r.actor for r in rows})
    cases = await _subjects(session, actor, {r.subject for r in rows})
    # The chain is verified on the newest page only: an older page is read to browse, and
    # verifying reads the whole register (about a second per 5,000 entries).
    ok, words, where = (
        await _verify(request, session, register) if before is None else (None, "", "")
    )
    entries: list[dict[str, Any]] = [
        {
            "seq": r.seq,
            "at": local_time(r.recorded_at, tz, with_year=True),
            "kind": humanize(r.kind),
            "subject": r.subject,
            "case": r.subject in cases,
            "who": names.get(r.actor, r.actor),
            "hash": r.hash,
        }
        for r in rows
    ]
    public = public_key_hex(service_public_key(session))
    signed = f"{head.seq}:{head.hash}:{head.signature}"
    context = {
        "name": register,
        "title": humanize(register),
        "head": head,
        "entries": entries,
        "ok": ok,
        "verification": words,
        "anchor": where,
        "command": f"nearmiss registers verify {register} --head {signed} --public-key {public}",
        "json": f"/registers/{register}/entries",
        "verify_json": f"/registers/{register}/verify",
        "newer": before is not None,
        "older": rows[-1].seq if rows and rows[-1].seq > 1 else None,
        "page": PAGE,
    }
    return render(request, "register.html", context)
