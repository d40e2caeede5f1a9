"""The home page: what the signed-in person owes now ("my work")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.authz import Authorized
from api.web.render import render

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def my_work(request: Request, actor: Authorized) -> HTMLResponse:
    """Everything the signed-in person owes now, sorted by due."""
    return render(request, "my_work.html", {"actor": actor, "rows": []})
