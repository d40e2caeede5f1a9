"""Governance packs: read one (generated on demand) as JSON, CSV, HTML or PDF, and publish it."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep, SettingsDep, get_temporal
from api.errors import Conflict, FieldError, NotFound, Unprocessable
from api.guard import GuardedRoute
from api.idempotency import keyed_update
from api.pack_publication import (
    as_published,
    person_name,
    publication_lines,
    published_stage,
    stage_words,
)
from api.report_cases import CaseRefs, case_refs
from api.report_html import render_html
from api.report_pdf import render_pdf
from api.temporal_calls import (
    IdempotencyKey,
    Unavailable,
    case_actor,
    raise_temporal_failure,
    status_name,
    workflow_status,
)
from config.settings import Settings
from domain import names
from domain.calendar import calendar_for
from domain.pack_periods import PeriodError, pack_period
from domain.packs import PACKS
from domain.periodic import PackSummary, PublishPack
from domain.roles import GOVERNANCE_ROLES
from infra.starters import start_pack
from store.db import transaction
from store.packs import get_pack, view
from store.register_heads import HEADS_CSV
from store.tables import Pack

router = APIRouter(prefix="/packs", tags=["packs"], route_class=GuardedRoute)

GENERATION_WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
CSV_COLUMNS = ("case_id", "reference", "service_line", "exposure", "stage", "opened_at")

Kind = Annotated[str, Path(description=", ".join(PACKS))]


class PackOut(BaseModel):
    kind: str
    period: str
    status: str
    generated_at: datetime
    published_by: str | None
    published_at: datetime | None
    case_ids: list[str]
    content: dict[str, Any]


def check_period(kind: str, period: str, settings: Settings, now: datetime) -> None:
    """404 for an unknown kind; 422 unless the period exists for the kind and has begun."""
    if kind not in PACKS:
        raise NotFound(f"no pack kind {kind!r}; known: {', '.join(PACKS)}")
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    try:
        pack_period(kind, period, today, date.fromisoformat(settings.cycle_anchor))
    except PeriodError as exc:
        raise Unprocessable(
            "invalid period", [FieldError(field="period", message=str(exc))]
        ) from None


async def ensure_workflow(temporal: Client, queue: str, kind: str, period: str) -> str:
    """Find the pack's workflow, or start it; returns its status (a finished one is not re-run)."""
    workflow_id = names.pack_id(kind, period)
    found = await workflow_status(temporal, workflow_id)
    if found is not None:
        return status_name(found)
    try:
        await start_pack(temporal, queue, kind, period)
    except Exception as exc:  # noqa: BLE001 - mapped or re-raised
        raise_temporal_failure(exc, workflow_id)
    return WorkflowExecutionStatus.RUNNING.name.lower()


async def _wait_for_pack(
    sessions: async_sessionmaker[AsyncSession], kind: str, period: str
) -> Pack:
    """Poll (fresh sessions: the worker commits meanwhile) until the pack is generated."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GENERATION_WAIT_SECONDS
    while True:
        async with sessions() as session:
            pack = await get_pack(session, kind, period)
        if pack is not None:
            return pack
        if loop.time() > deadline:
            raise Unavailable(f"pack {kind}/{period} is still being generated; retry shortly")
        await asyncio.sleep(POLL_SECONDS)


async def load_pack(request: Request, kind: str, period: str, now: datetime) -> Pack:
    """The pack (422 for a period that does not exist or has not begun), generated on first
    request by its workflow; until it is published, rebuilt as of now and stored when what it
    reads has changed since (``store.packs.view``)."""
    settings: Settings = request.app.state.settings
    check_period(kind, period, settings, now)
    pack = await pack_or_generate(request, kind, period)
    if pack.published_at is not None:
        return pack
    calendar = calendar_for(settings.calendar_config())
    anchor = date.fromisoformat(settings.cycle_anchor)
    async with transaction(request.app.state.sessions) as session:
        fresh = await get_pack(session, kind, period)
        assert fresh is not None
        await view(session, PACKS[kind], fresh, now, calendar, anchor)
    return fresh


def _csv(pack: Pack, table: str) -> str:
    out = io.StringIO()
    columns = HEADS_CSV if table == "signed-heads" else CSV_COLUMNS
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    if table == "signed-heads":
        writer.writerows(pack.content.get("signed_heads", []))
        return out.getvalue()
    published = pack.published_at is not None
    for row in pack.content.get("cases", []):
        stage = published_stage(str(row.get("stage", "")), published)
        writer.writerow({**row, "stage": stage_words(stage)})
    return out.getvalue()


async def pack_or_generate(request: Request, kind: str, period: str) -> Pack:
    """The stored pack, else its workflow started and the pack waited for (``check_period``
    first). Its own short sessions, not SessionDep: the pack is polled for while the workflow
    writes it."""
    sessions = request.app.state.sessions
    async with sessions() as session:
        pack = await get_pack(session, kind, period)
    if pack is None:
        temporal = await get_temporal(request)
        queue = request.app.state.settings.temporal_task_queue
        await ensure_workflow(temporal, queue, kind, period)
        pack = await _wait_for_pack(sessions, kind, period)
    return pack


async def status_lines(session: AsyncSession, pack: Pack, zone: str) -> list[str]:
    """Publication (by the publisher's name) and generation, in provider local time."""
    name = await person_name(session, pack.published_by)
    return publication_lines(pack, zone, name)


async def _pdf(pack: Pack, lines: list[str], settings: Settings, refs: CaseRefs) -> Response:
    """The PDF, rendered off the event loop (reportlab is synchronous and CPU-bound)."""
    content = as_published(pack)
    body = await asyncio.to_thread(render_pdf, content, lines, settings.pdf_font_dir, refs)
    filename = f"{pack.kind}-{pack.period}.pdf"  # kind and period are checked: no quoting needed
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# The renderings besides JSON, for OpenAPI (`?format=csv|html|pdf`).
RENDERINGS: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/{kind}/{period}",
    response_model=PackOut,
    responses={
        200: {"content": RENDERINGS},
        503: {},
    },
)
async def read_pack(
    kind: Kind,
    period: str,
    request: Request,
    actor: Authorized,
    settings: SettingsDep,
    session: SessionDep,
    now: Now,
    format: Annotated[
        Literal["json", "csv", "html", "pdf"],
        Query(description="json (default), csv, html or pdf"),
    ] = "json",
    table: Annotated[
        Literal["cases", "signed-heads"],
        Query(description="with `format=csv`: the listed cases (default) or the signed heads"),
    ] = "cases",
) -> Any:
    """The pack, generated on first request (its workflow then waits for the publisher).

    `?format=csv` gives `text/csv` named `KIND-PERIOD.csv` (the listed cases; `&table=signed-heads`
    the register heads, `register,seq,signed_head`, named `KIND-PERIOD-signed-heads.csv`),
    `?format=html` a page, `?format=pdf` an `application/pdf` named `KIND-PERIOD.pdf`
    (Content-Disposition) with the page's sections and charts. Every
    rendering carries each register's signed head (`SEQ:HASH:SIGNATURE`) as at the pack's
    generation or publication (JSON: `content.signed_heads`), for `nearmiss registers verify
    NAME --head …`. A pack
    exists only for a period of its kind that has begun (a fortnightly period is a cycle start);
    any other period is a 422 and creates nothing. A stored pack is read without Temporal.
    """
    pack = await load_pack(request, kind, period, now)
    if format == "csv":
        # kind and period are checked (no quoting needed); the table named after the cases
        filename = f"{pack.kind}-{pack.period}{'-signed-heads' if table == 'signed-heads' else ''}"
        return PlainTextResponse(
            _csv(pack, table),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if format in ("html", "pdf"):
        lines = await status_lines(session, pack, settings.timezone)
        # Its tables' cases by report reference, linked for a reader who may open case pages.
        refs = await case_refs(session, pack.content, bool(actor.roles & GOVERNANCE_ROLES))
        if format == "pdf":
            return await _pdf(pack, lines, settings, refs)
        return HTMLResponse(render_html(as_published(pack), lines, refs))
    return PackOut.model_validate(pack, from_attributes=True)


@router.post("/{kind}/{period}/publish", responses={403: {}, 409: {}})
async def publish_pack(
    kind: Kind,
    period: str,
    actor: Authorized,
    request: Request,
    settings: SettingsDep,
    now: Now,
    key: IdempotencyKey = None,
) -> PackSummary:
    """Publish (the kind's publisher role): the listed cases become visible and may activate."""
    check_period(kind, period, settings, now)  # before Temporal: a bad period changes nothing
    temporal = await get_temporal(request)
    status = await ensure_workflow(temporal, settings.temporal_task_queue, kind, period)
    if status != "running":
        raise Conflict(f"pack {kind}/{period} is {status}: already published")
    return await keyed_update(
        request.app,
        temporal,
        names.pack_id(kind, period),
        names.UPDATE_PUBLISH,
        PublishPack(actor=case_actor(actor)),
        result_type=PackSummary,
        key=key,
    )
