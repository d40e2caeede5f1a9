"""``/docs`` (Swagger UI) and ``/redoc`` with their scripts and styles served by the service.

The assets come from the npm packages ``swagger-ui-dist`` and ``redoc`` pinned in
``vendor/package-lock.json`` and copied into ``api/static/vendor/`` by ``make vendor`` (the
Dockerfile does the same): hospital networks block CDNs, so nothing here names another host.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse

VENDOR = "/app/static/vendor"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
ICON = Path(__file__).resolve().parent / "static" / "icon.svg"
router = APIRouter(include_in_schema=False)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The service's icon (SVG), for the pages that do not name one (the dashboard, printable
    packs, the evidence pack), whose browsers ask for ``/favicon.ico``: not a 404 each load."""
    return FileResponse(
        ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
    )


def _openapi_url(request: Request) -> str:
    return str(request.app.openapi_url or "/openapi.json")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document."""
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - API",
        swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui.css",
        swagger_favicon_url=f"{VENDOR}/favicon-32x32.png",
        oauth2_redirect_url=OAUTH2_REDIRECT,
    )


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc for the OpenAPI document (no web fonts)."""
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{VENDOR}/redoc.standalone.js",
        redoc_favicon_url=f"{VENDOR}/favicon-32x32.png",
        with_google_fonts=False,
    )
