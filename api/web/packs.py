"""Pack pages: a governance pack (weekly, fortnightly, monthly) in words, and Publish for the
kind's director, through the very functions ``GET /packs/...`` and ``POST .../publish`` use.

Publishing is what makes the listed cases visible (and activates their pathways); the page
carries an Idempotency-Key, so a double click publishes once.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import Now
from api.deps import Actor, SessionDep, TemporalDep
from api.errors import ApiError, NotFound, Unprocessable
from api.pack_publication import person_name, publication_lines, published_stage, stage_words
from api.routers.packs import load_pack
from api.temporal_calls import case_actor, execute_update
from api.web.pack_words import pack_name
from api.web.render import local_time, render
from api.web.session import CsrfChecked
from api.web.words import humanize, role_label
from domain import names
from domain.mail_words import capital
from domain.packs import PACKS
from domain.periodic import PackSummary, PublishPack
from domain.report import label
from domain.titles import lower_first
from store.pack_common import cases_of
from store.tables import Pack

router = APIRouter(prefix="/app/packs", include_in_schema=False)
KEY_FIELD = "idempotency_key"
STAGE_WORDS = {
    "awaiting-visibility": "Awaiting visibility (waits for this pack to be published)",
    "pathway-acceptance": "Pathway waiting for its named owner's acceptance",
    "made-visible": "Made visible; becoming active",
    "active-recovery": "Active recovery",
    "active-stabilization": "Active stabilization",
    "active-repair": "Active repair",
}


async def _pack(request: Request, kind: str, period: str, now: Any) -> Pack:
    """The pack exactly as the API reads it (a stored, published pack without Temporal); a
    period in the address that names no pack (or one not begun) is a page not found, in words,
    rather than the API's 422 for a form to correct."""
    try:
        return await load_pack(request, kind, period, now)
    except Unprocessable as exc:
        raise NotFound(_no_period(kind, period, [e["message"] for e in exc.errors])) from None


def _no_period(kind: str, period: str, reasons: list[str]) -> str:
    """ "There is no weekly workforce sustainability review pack for 2026-W99. Check the
    address: it needs an ISO week, e.g. 2026-W48." (the reason once, not the period twice)."""
    title = PACKS[kind].title
    pack = f"There is no {lower_first(title)} for {period}"
    needs = [r.split("expected ", 1)[1] for r in reasons if "expected " in r]
    if needs:
        return f"{pack}. Check the address: it needs {needs[0]}."
    why = "; ".join(r.replace(period, "it") for r in reasons)
    return f"{pack}: {why}." if why else f"{pack}."


async def _case_rows(session: AsyncSession, pack: Pack, tz: str) -> list[dict[str, str]]:
    """The pack's cases as the page lists them: the stage each is at now (publishing moves
    them on), opened in provider local time."""
    listed = [str(row.get("case_id", "")) for row in pack.content.get("cases", [])]
    now_at = {c.case_id: c for c in await cases_of(session, listed)}
    rows = []
    for row in pack.content.get("cases", []):
        case = now_at.get(str(row.get("case_id", "")))
        stage = str(case.stage if case is not None else row.get("stage"))
        stage = published_stage(stage, pack.published_at is not None)
        in_pack = published_stage(str(row.get("stage", "")), pack.published_at is not None)
        rows.append(
            {
                "case_id": str(row.get("case_id", "")),
                "reference": str(row.get("reference", "")),
                "service_line": str(row.get("service_line", "")),
                "exposure": label(row.get("exposure")),  # as the pack's PDF says it
                "stage": STAGE_WORDS.get(stage, humanize(stage)),
                # as the pack's PDF and CSV give it: the stage it listed the case at
                "listed": capital(stage_words(in_pack)),
                "opened": local_time(case.opened_at, tz) if case else str(row.get("opened_at", "")),
            }
        )
    return rows


async def _page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    pack: Pack,
    notice: str = "",
    detail: str = "",
    status: int = 200,
) -> HTMLResponse:
    spec = PACKS[pack.kind]
    tz = request.app.state.settings.timezone
    publisher = await person_name(session, pack.published_by)
    base = f"/packs/{pack.kind}/{pack.period}"
    context = {
        "title": pack_name(spec.title, pack.kind, pack.period),
        "pack": pack,
        "lines": publication_lines(pack, tz, publisher, local_time, figures_below=False),
        "printable": f"{base}?format=html",
        "pdf": f"{base}?format=pdf",
        "cases": await _case_rows(session, pack, tz),
        "published": pack.published_at is not None,
        "can_publish": pack.published_at is None and spec.publisher in actor.roles,
        "publisher": role_label(spec.publisher),
        "downloads": [
            ("PDF", f"{base}?format=pdf"),
            ("printable page", f"{base}?format=html"),
            ("cases as CSV", f"{base}?format=csv"),
        ],
        "key": str(uuid.uuid4()),
        "key_field": KEY_FIELD,
        "notice": notice,
        "detail": detail,
    }
    return render(request, "pack.html", context, status=status)


@router.get("/{kind}/{period}", response_class=HTMLResponse)
async def pack_page(
    kind: str,
    period: str,
    request: Request,
    actor: Authorized,
    session: SessionDep,
    now: Now,
    published: bool = False,
) -> HTMLResponse:
    """The pack: its cases in words, and Publish for the kind's director."""
    pack = await _pack(request, kind, period, now)
    notice = "Published: the listed cases are now visible." if published else ""
    return await _page(request, session, actor, pack, notice=notice)


@router.post("/{kind}/{period}/publish", dependencies=[CsrfChecked], response_model=None)
async def publish(
    kind: str,
    period: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    session: SessionDep,
    now: Now,
    idempotency_key: Annotated[str, Form(alias=KEY_FIELD, max_length=200)] = "",
) -> Response:
    """Publish the pack (as ``POST /packs/{kind}/{period}/publish``); a repeat applies once."""
    pack = await _pack(request, kind, period, now)
    if pack.published_at is None:
        try:
            await execute_update(
                temporal,
                names.pack_id(kind, period),
                names.UPDATE_PUBLISH,
                PublishPack(actor=case_actor(actor)),
                result_type=PackSummary,
                key=idempotency_key or None,
            )
        except ApiError as exc:
            # SESSION's first read is here, after the update: it sees what the update wrote.
            return await _page(
                request, session, actor, pack, detail=exc.detail, status=exc.status_code
            )
    return RedirectResponse(f"/app/packs/{kind}/{period}?published=1", status_code=303)
