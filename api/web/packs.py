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

from api.authz import Authorized
from api.clock import Now
from api.deps import Actor, TemporalDep
from api.errors import ApiError
from api.routers.packs import _wait_for_pack, check_period, ensure_workflow, status_lines
from api.temporal_calls import case_actor, execute_update
from api.web.render import render
from api.web.session import CsrfChecked
from api.web.words import exposure_words, humanize
from domain import names
from domain.cases import PackSummary, PublishPack
from domain.packs import PACKS
from store.packs import get_pack
from store.tables import Pack

router = APIRouter(prefix="/app/packs", include_in_schema=False)
KEY_FIELD = "idempotency_key"


async def _pack(request: Request, temporal: Any, kind: str, period: str, now: Any) -> Pack:
    """The pack, generated on first request exactly as the API does."""
    settings = request.app.state.settings
    check_period(kind, period, settings, now)
    sessions = request.app.state.sessions
    async with sessions() as session:
        pack = await get_pack(session, kind, period)
    if pack is None:
        await ensure_workflow(temporal, settings.temporal_task_queue, kind, period)
        pack = await _wait_for_pack(sessions, kind, period)
    return pack


def _case_rows(pack: Pack) -> list[dict[str, str]]:
    """The pack's cases as the page lists them."""
    return [
        {
            "case_id": str(row.get("case_id", "")),
            "reference": str(row.get("reference", "")),
            "service_line": str(row.get("service_line", "")),
            "exposure": exposure_words(row.get("exposure")),
            "stage": humanize(row.get("stage")),
            "opened": str(row.get("opened_at", "")),  # the pack states it in local time
        }
        for row in pack.content.get("cases", [])
    ]


def _page(
    request: Request,
    actor: Actor,
    pack: Pack,
    notice: str = "",
    detail: str = "",
    status: int = 200,
) -> HTMLResponse:
    spec = PACKS[pack.kind]
    tz = request.app.state.settings.timezone
    context = {
        "title": spec.title,
        "pack": pack,
        "lines": status_lines(pack, tz),
        "cases": _case_rows(pack),
        "can_publish": pack.published_at is None and spec.publisher in actor.roles,
        "publisher": spec.publisher.value.replace("_", " "),
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
    temporal: TemporalDep,
    now: Now,
    published: bool = False,
) -> HTMLResponse:
    """The pack: its cases in words, and Publish for the kind's director."""
    pack = await _pack(request, temporal, kind, period, now)
    notice = "Published: the listed cases are now visible." if published else ""
    return _page(request, actor, pack, notice=notice)


@router.post("/{kind}/{period}/publish", dependencies=[CsrfChecked], response_model=None)
async def publish(
    kind: str,
    period: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    now: Now,
    idempotency_key: Annotated[str, Form(alias=KEY_FIELD, max_length=200)] = "",
) -> Response:
    """Publish the pack (as ``POST /packs/{kind}/{period}/publish``); a repeat applies once."""
    pack = await _pack(request, temporal, kind, period, now)
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
            return _page(request, actor, pack, detail=exc.detail, status=exc.status_code)
    return RedirectResponse(f"/app/packs/{kind}/{period}?published=1", status_code=303)
