"""Register pages for inspectors and governance roles: every register with its length, latest
entry, head and recorded verification (``store.register_checks``: the entries added since the
last check are checked as the page is shown, old ones by a full verification, nightly or from
the Verify in full button, which starts a Temporal workflow: the page says since when one runs),
and one register's entries newest first (keyset-paged)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.anchors import every_temporal_anchor
from api.authz import Authorized, may_see
from api.clock import request_now
from api.deps import Actor, SessionDep
from api.errors import NotFound
from api.register_runs import start_verification, verification_runs
from api.web.register_words import MEANINGS, StatusWords, running_words, status_words
from api.web.render import local_time, render
from api.web.session import CsrfChecked
from api.web.words import humanize
from domain.mail_words import capital, case_words, id_words
from store.pack_common import cases_of
from store.register_checks import check_new_entries, recorded
from store.register_reads import entries_newest_first, heads
from store.register_verify import service_public_key
from store.signing import public_key_hex
from store.staff import staff_names
from store.tables import RegisterHead

router = APIRouter(prefix="/app/registers", include_in_schema=False)
PAGE = 50


async def _head(session: AsyncSession, name: str) -> RegisterHead:
    found = next((h for h in await heads(session) if h.register == name), None)
    if found is None:
        raise NotFound(f"no register {name!r}")
    return found


async def _statuses(
    request: Request, session: AsyncSession, rows: list[RegisterHead]
) -> tuple[dict[str, StatusWords], dict[str, str], str]:
    """Each register's recorded verification, continued through the entries added since (at
    most ``VIEW_LIMIT`` each: old entries are re-read only by a full verification), and what
    to say of the full verifications running now."""
    tz = request.app.state.settings.timezone
    anchored, where = await every_temporal_anchor(request.app)
    records, now = await recorded(session), await request_now(request)
    found = {}
    for head in rows:
        record = await check_new_entries(
            session, head.register, at=now, anchors=anchored.get(head.register, []),
            before=records.get(head.register),
        )  # fmt: skip
        found[head.register] = status_words(record, head.seq, tz)
    runs = await verification_runs(request.app, [h.register for h in rows])
    running = {n: running_words(r.requested_at, tz) for n, r in runs.items() if r.running}
    return found, running, where


@router.get("", response_class=HTMLResponse)
async def register_list(request: Request, session: SessionDep, _actor: Authorized) -> HTMLResponse:
    """Every register: its length, latest entry, head and its recorded verification (new entries
    checked now), with the last full verification."""
    tz = request.app.state.settings.timezone
    rows = []
    all_heads = await heads(session)
    statuses, running, where = await _statuses(request, session, all_heads)
    for head in all_heads:
        latest = await entries_newest_first(session, head.register, limit=1)
        rows.append(
            {
                "name": head.register,
                "title": humanize(head.register),
                "entries": head.seq,
                "latest": local_time(latest[0].recorded_at, tz, with_year=True) if latest else "",
                "hash": head.hash,
                "status": statuses[head.register],
                "running": running.get(head.register, ""),
            }
        )
    context = {"registers": rows, "anchor": where, "meanings": MEANINGS}
    return render(request, "registers.html", context)


@router.post("/{register}/verify", dependencies=[CsrfChecked], response_model=None)
async def verify_register(
    register: str, request: Request, session: SessionDep, _actor: Authorized
) -> Response:
    """Start a full verification of the register (a Temporal workflow; a click while one runs
    joins it) and show its page, which says since when it runs and, once done, its outcome."""
    await _head(session, register)
    await start_verification(request.app, register, await request_now(request))
    return RedirectResponse(f"/app/registers/{register}?verifying=1", status_code=303)


async def _subjects(session: AsyncSession, actor: Actor, subjects: set[str]) -> dict[str, str]:
    """The subjects that are cases this person may open (their pages are linked, by the report
    reference people know them by) → their reference."""
    found = await cases_of(session, sorted(subjects))
    return {c.case_id: c.reference for c in found if may_see(actor, c)}


@router.get("/{register}", response_class=HTMLResponse)
async def register_page(
    register: str,
    request: Request,
    session: SessionDep,
    actor: Authorized,
    before: Annotated[int | None, Query(ge=1, description="entries below this seq")] = None,
    verifying: bool = False,
) -> HTMLResponse:
    """One register's entries, newest first, a page at a time, and how to re-verify it."""
    tz = request.app.state.settings.timezone
    head = await _head(session, register)
    rows = await entries_newest_first(session, register, before_seq=before, limit=PAGE)
    names = await staff_names(session, {r.actor for r in rows})
    cases = await _subjects(session, actor, {r.subject for r in rows})
    # New entries are checked on the newest page only: an older page is read to browse.
    statuses, running, where = (
        await _statuses(request, session, [head]) if before is None else ({}, {}, "")
    )
    entries: list[dict[str, Any]] = [
        {
            "seq": r.seq,
            "at": local_time(r.recorded_at, tz, with_year=True),
            "kind": humanize(r.kind),
            "subject": r.subject,
            "case": r.subject in cases,
            "subject_words": capital(case_words(r.subject, cases[r.subject]))
            if r.subject in cases
            else capital(id_words(r.subject)),
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
        "status": statuses.get(register),
        "anchor": where,
        "meanings": MEANINGS,
        "running": running.get(register, ""),
        "notice": (
            "Full verification under way in the background: reload this page for its outcome."
            if verifying
            else ""
        ),
        "command": f"nearmiss registers verify {register} --head {signed} --public-key {public}",
        "json": f"/registers/{register}/entries",
        "verify_json": f"/registers/{register}/verify",
        "newer": before is not None,
        "older": rows[-1].seq if rows and rows[-1].seq > 1 else None,
        "page": PAGE,
    }
    return render(request, "register.html", context)
