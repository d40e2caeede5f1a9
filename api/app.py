"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry.trace import TracerProvider

from api import docs
from api.errors import install_error_handlers
from api.head import HeadAsGetMiddleware
from api.metrics import install_metrics
from api.openapi_errors import install_error_model
from api.request_log import RequestLogMiddleware
from api.routers import ROUTERS
from api.routers.codec import install_cors
from api.tracing import install_tracing
from api.web import WEB_ROUTERS
from api.web.errors import install_page_errors
from api.web.session import install_sessions
from config.settings import Settings
from infra.tokens import TokenVerifier
from infra.tracing import instrument_engine
from store.db import make_engine, make_sessionmaker

STATIC_DIR = Path(__file__).resolve().parent / "static"

DESCRIPTION = """Near-miss reporting confidence governance: acknowledgment, learning visibility and
closure credibility, run as durable Temporal workflows.

Authenticate with `Authorization: Bearer <token>`: the token's `sub` is a staff-directory
employee ID whose roles decide what it may do (development tokens: `nearmiss token EMPLOYEE_ID`).
Errors answer `{"detail": ..., "errors": [{"field": ..., "message": ...}]}`."""


def _version() -> str:
    try:
        return version("nearmiss-governance")
    except PackageNotFoundError:
        return "0.0.0"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Database engine and token verifier for the app's lifetime; the engine is disposed after."""
    settings: Settings = app.state.settings
    engine = make_engine(settings.database_url)
    instrument_engine(engine, app.state.tracer_provider)
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine, settings.signing_key)
    app.state.verifier = TokenVerifier.from_settings(settings)
    try:
        yield
    finally:
        await engine.dispose()


def create_app(
    settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    """The API for ``settings`` (default: from the environment); Temporal connects on first use.

    Traces go to ``tracer_provider`` (default: OTLP when ``otel_endpoint`` is set, else none)."""
    settings = settings or Settings()
    app = FastAPI(
        title="Near-miss governance",
        description=DESCRIPTION,
        version=_version(),
        lifespan=_lifespan,
        docs_url=None,  # served by api.docs from vendored assets (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.temporal_lock = asyncio.Lock()
    install_error_handlers(app)
    install_page_errors(app)
    install_cors(app, settings)
    install_sessions(app, settings)
    app.include_router(docs.router)
    for router in ROUTERS:
        app.include_router(router)
    install_metrics(app)
    install_tracing(app, settings, tracer_provider)
    app.add_middleware(HeadAsGetMiddleware)  # inside the request log: it logs the HEAD
    app.add_middleware(RequestLogMiddleware)
    app.mount("/app/static", StaticFiles(directory=STATIC_DIR), name="app-static")
    for router in WEB_ROUTERS:
        app.include_router(router)
    install_error_model(app)
    return app
