"""The reporting-confidence dashboard (one static page that calls the API) and ``GET /me``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.authz import Authorized
from api.deps import Actor
from api.errors import NotFound
from api.guard import GuardedRoute

router = APIRouter(tags=["dashboard"], route_class=GuardedRoute)
STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE = STATIC / "dashboard.html"
# The page's own scripts, nothing else.
SCRIPTS = frozenset(
    {
        "dashboard.js",
        "trends.js",
        "trends_chart.js",
        "trends_series.js",
        "trends_tables.js",
        "trends_outcomes.js",
    }
)


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard() -> HTMLResponse:
    """The page itself holds no data; every figure it shows comes from authorised API calls."""
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


@router.get("/dashboard/{script}", include_in_schema=False)
async def dashboard_script(script: str) -> Response:
    """The page's scripts (served from the same origin: no CDN, nothing external)."""
    if script not in SCRIPTS:
        raise NotFound(f"no dashboard file {script!r}")
    body = (STATIC / script).read_text(encoding="utf-8")
    return Response(body, media_type="text/javascript; charset=utf-8")


@router.get("/me", response_model=Actor)
async def me(actor: Authorized) -> Actor:
    """Who the bearer token belongs to, and their roles (the dashboard adapts to them)."""
    return actor
