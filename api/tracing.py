"""The API's traces: FastAPI requests, its Temporal client and its database engine."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.trace import TracerProvider

from config.settings import Settings
from infra.tracing import temporal_plugins, tracer_provider, use_globally


def install_tracing(app: FastAPI, settings: Settings, provider: TracerProvider | None) -> None:
    """Instrument ``app`` with ``provider``, or with an OTLP one when ``otel_endpoint`` is set
    (made the process's provider); nothing otherwise."""
    if provider is None:
        provider = tracer_provider(settings, "nearmiss-api")
        use_globally(provider)
    app.state.tracer_provider = provider
    app.state.temporal_plugins = temporal_plugins(provider)
    if provider is not None:
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls="/metrics,/health.*"
        )
