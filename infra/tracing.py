"""OpenTelemetry traces: one provider per process, exported over OTLP only when configured.

The API instruments FastAPI; API and worker carry Temporal's OpenTelemetry interceptor (its
plugin: client, workflow and activity spans, context in Temporal headers) and instrument their
SQLAlchemy engines, so one step submission is one trace: request, Update, record activity,
statements. The plugin's interceptor parents an Update's handler spans to the caller's span;
the older ``TracingInterceptor`` only links them from the workflow's own trace.
"""

from __future__ import annotations

import opentelemetry.trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Plugin
from temporalio.contrib.opentelemetry import (
    OpenTelemetryPlugin,
    ReplaySafeTracerProvider,
    create_tracer_provider,
)

from config.settings import Settings


def tracer_provider(settings: Settings, service: str) -> ReplaySafeTracerProvider | None:
    """A replay-safe provider exporting to ``otel_endpoint`` (OTLP/HTTP); None when empty."""
    if not settings.otel_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = create_tracer_provider(resource=Resource.create({"service.name": service}))
    endpoint = settings.otel_endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def use_globally(provider: TracerProvider | None) -> None:
    """Make ``provider`` the process's provider (Temporal's interceptor traces with it)."""
    if provider is not None:
        opentelemetry.trace.set_tracer_provider(provider)


def temporal_plugins(provider: TracerProvider | None) -> list[Plugin]:
    """Temporal's OpenTelemetry plugin when tracing (it also lets workflows import the API)."""
    return [OpenTelemetryPlugin(add_temporal_spans=True)] if provider is not None else []


def instrument_engine(engine: AsyncEngine, provider: TracerProvider | None) -> None:
    """Trace every statement on ``engine`` (nothing without a provider); once per process, as
    the instrumentor is a singleton (the API and the worker each have one engine)."""
    if provider is not None:
        # The instrumentation declares SQLAlchemy < 2.1; 2.1's engine events are the same
        # (tests/test_tracing.py shows the statements in the trace).
        SQLAlchemyInstrumentor().instrument(
            engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
        )
