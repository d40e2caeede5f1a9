"""Governance packs: read one (generated on demand) as JSON, CSV, HTML or PDF, and publish it."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus

from api.deps import CurrentActor, ReaderActor, SettingsDep, TemporalDep, get_temporal
from api.errors import Conflict, FieldError, NotFound, Unprocessable
from api.guard import GuardedRoute
from api.pack_pdf import publication, render_pdf
from api.temporal_calls import (
    IdempotencyKey,
    Unavailable,
    case_actor,
    execute_update,
    raise_temporal_failure,
    status_name,
    workflow_status,
)
from domain import names
from domain.cases import PackSummary, PublishPack
from domain.packs import PACKS
from infra.starters import start_pack
from store.packs import get_pack
from store.tables import Pack

router = APIRouter(prefix="/packs", tags=["packs"], route_class=GuardedRoute)

PERIOD_PATTERNS = {
    names.PACK_WEEKLY: r"\d{4}-W\d{2}",
    names.PACK_FORTNIGHTLY: r"\d{4}-\d{2}-\d{2}",
    names.PACK_MONTHLY: r"\d{4}-\d{2}",
}
GENERATION_WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
CSV_COLUMNS = ("case_id", "reference", "service_line", "exposure", "stage", "opened_at", "breaches")

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


def _valid_period(kind: str, period: str) -> bool:
    if re.fullmatch(PERIOD_PATTERNS[kind], period) is None:
        return False
    try:
        if kind == names.PACK_WEEKLY:
            date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
        else:
            date.fromisoformat(period if len(period) == 10 else f"{period}-01")
    except ValueError:
        return False
    return True


def check_period(kind: str, period: str) -> None:
    """404 for an unknown kind; 422 when the period does not fit the kind."""
    spec = PACKS.get(kind)
    if spec is None:
        raise NotFound(f"no pack kind {kind!r}; known: {', '.join(PACKS)}")
    if not _valid_period(kind, period):
        raise Unprocessable(
            "invalid period", [FieldError(field="period", message=f"expected {spec.period_format}")]
        )


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


def _csv(pack: Pack) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(pack.content.get("cases", []))
    return out.getvalue()


def _html(pack: Pack) -> str:
    """A self-contained page (no external assets): header, totals by stage, the cases."""
    esc = html.escape
    title = esc(str(pack.content.get("title", pack.kind)))
    status = publication(pack)
    head = "".join(f"<th>{esc(c)}</th>" for c in CSV_COLUMNS)
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(str(case.get(c, '')))}</td>" for c in CSV_COLUMNS) + "</tr>"
        for case in pack.content.get("cases", [])
    )
    totals = "".join(
        f"<li>{esc(stage)}: {count}</li>"
        for stage, count in sorted(pack.content.get("totals_by_stage", {}).items())
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
        f"</style></head><body><h1>{title} — {esc(pack.period)}</h1>"
        f"<p>{esc(status)}</p>"
        f"<h2>Cases by stage</h2><ul>{totals}</ul>"
        f"<h2>Cases listed</h2><table><tr>{head}</tr>{rows}</table></body></html>"
    )


async def _pdf(pack: Pack) -> Response:
    """The PDF, rendered off the event loop (reportlab is synchronous and CPU-bound)."""
    body = await asyncio.to_thread(render_pdf, pack, CSV_COLUMNS)
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
    _actor: ReaderActor,
    settings: SettingsDep,
    format: Annotated[
        Literal["json", "csv", "html", "pdf"],
        Query(description="json (default), csv, html or pdf"),
    ] = "json",
) -> Any:
    """The pack, generated on first request (its workflow then waits for the publisher).

    `?format=csv` gives `text/csv`, `?format=html` a page, `?format=pdf` an `application/pdf`
    named `KIND-PERIOD.pdf` (Content-Disposition) with the page's content and bar charts of the
    listed cases by exposure and by service line. A stored pack is read without Temporal.
    """
    check_period(kind, period)
    sessions = request.app.state.sessions
    async with sessions() as session:
        pack = await get_pack(session, kind, period)
    if pack is None:
        temporal = await get_temporal(request)
        await ensure_workflow(temporal, settings.temporal_task_queue, kind, period)
        pack = await _wait_for_pack(sessions, kind, period)
    if format == "csv":
        return PlainTextResponse(_csv(pack), media_type="text/csv")
    if format == "html":
        return HTMLResponse(_html(pack))
    if format == "pdf":
        return await _pdf(pack)
    return PackOut.model_validate(pack, from_attributes=True)


@router.post("/{kind}/{period}/publish", responses={403: {}, 409: {}})
async def publish_pack(
    kind: Kind,
    period: str,
    actor: CurrentActor,
    temporal: TemporalDep,
    settings: SettingsDep,
    key: IdempotencyKey = None,
) -> PackSummary:
    """Publish (the kind's publisher role): the listed cases become visible and may activate."""
    check_period(kind, period)
    status = await ensure_workflow(temporal, settings.temporal_task_queue, kind, period)
    if status != "running":
        raise Conflict(f"pack {kind}/{period} is {status}: already published")
    return await execute_update(
        temporal,
        names.pack_id(kind, period),
        names.UPDATE_PUBLISH,
        PublishPack(actor=case_actor(actor)),
        result_type=PackSummary,
        key=key,
    )
