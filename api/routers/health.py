"""``GET /health`` (Temporal and the database), ``/health/live`` (the process) and
``/health/ready`` (database, Temporal, and a worker polling the task queue), all quick."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import temporal_client
from api.guard import GuardedRoute
from infra.temporal import task_queue_pollers

CHECK_TIMEOUT = 2.0

router = APIRouter(tags=["health"], route_class=GuardedRoute)


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    temporal: str
    database: str


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {CHECK_TIMEOUT:g} s"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def _check_temporal(app: FastAPI) -> str:
    try:
        client = await asyncio.wait_for(temporal_client(app), CHECK_TIMEOUT + 1)
        await client.service_client.check_health(timeout=timedelta(seconds=CHECK_TIMEOUT))
    except Exception as exc:  # a health check reports every failure, it never raises
        return f"unreachable: {_describe(exc)}"
    return "ok"


async def _check_database(app: FastAPI) -> str:
    async def probe() -> None:
        async with app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT)
    except Exception as exc:  # a health check reports every failure, it never raises
        return f"error: {_describe(exc)}"
    return "ok"


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "Temporal or the database is unreachable"}},
)
async def health(request: Request) -> JSONResponse:
    """200 when Temporal and the database both answer within ~2 s, 503 otherwise. No auth."""
    temporal, database = await asyncio.gather(
        _check_temporal(request.app), _check_database(request.app)
    )
    ok = temporal == "ok" and database == "ok"
    body = Health(status="ok" if ok else "degraded", temporal=temporal, database=database)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


class Liveness(BaseModel):
    status: Literal["alive"]


class Readiness(BaseModel):
    status: Literal["ready", "not-ready"]
    database: str
    temporal: str
    worker: str


async def _check_worker(app: FastAPI) -> str:
    settings = app.state.settings
    queue = settings.temporal_task_queue
    try:
        client = await asyncio.wait_for(temporal_client(app), CHECK_TIMEOUT + 1)
        pollers = await asyncio.wait_for(
            task_queue_pollers(client, settings.temporal_namespace, queue), CHECK_TIMEOUT + 1
        )
    except Exception as exc:  # a health check reports every failure, it never raises
        return f"unknown: {_describe(exc)}"
    return "ok" if pollers.get("workflow") else f"no worker polls task queue {queue!r}"


async def readiness(app: FastAPI) -> Readiness:
    """The readiness checks at once: database, Temporal, a worker polling the task queue."""
    database, temporal, worker = await asyncio.gather(
        _check_database(app), _check_temporal(app), _check_worker(app)
    )
    ok = database == temporal == worker == "ok"
    return Readiness(
        status="ready" if ok else "not-ready", database=database, temporal=temporal, worker=worker
    )


@router.get("/health/live", response_model=Liveness)
async def live() -> Liveness:
    """200 while the process serves requests (restart it when this fails). No auth."""
    return Liveness(status="alive")


@router.get(
    "/health/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "a dependency is not ready"}},
)
async def ready(request: Request) -> JSONResponse:
    """200 when the database and Temporal answer and a worker polls the task queue; 503
    otherwise (send no traffic, page if it lasts). No auth."""
    body = await readiness(request.app)
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ready" else 503)
