"""``GET /health``: is the API able to reach Temporal and the database (quickly)?"""

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
