"""The reporting-confidence dashboard (one static page that calls the API) and ``GET /me``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import Actor, CurrentActor

router = APIRouter(tags=["dashboard"])
PAGE = Path(__file__).resolve().parent.parent / "static" / "dashboard.html"


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard() -> HTMLResponse:
    """The page itself holds no data; every figure it shows comes from authorised API calls."""
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


@router.get("/me", response_model=Actor)
async def me(actor: CurrentActor) -> Actor:
    """Who the bearer token belongs to, and their roles (the dashboard adapts to them)."""
    return actor
