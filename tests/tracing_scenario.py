"""One step submission is one trace: the HTTP request, the Update, the step's record activity and
its database statements (in-memory exporter; real API, worker, time-skipping server, SQLite).

Run by tests/test_tracing.py in its own interpreter: at worker shutdown the still-running case
workflows are evicted and Temporal's interceptor ends their spans in another context, and the
finalizers of those coroutines, run later by the garbage collector, have been seen to upset a later
``compile()`` of this interpreter (CPython 3.11: "AST constructor recursion depth mismatch").
A worker process ends right after its shutdown, so only a shared test process is exposed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import opentelemetry.trace
import pytest
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.opentelemetry import create_tracer_provider

from activities.deps import ActivityDeps
from api.app import create_app
from infra.mail import MailSettings
from infra.tracing import temporal_plugins
from tests.api_support import TRIAGE_DOCS, attribution, open_case, open_docs
from tests.bounds_support import worker_running
from tests.fixtures.api import ApiClient
from tests.fixtures.temporal import make_test_settings
from worker.registry import make_worker


@asynccontextmanager
async def traced_stack(env: Any, url: str, provider: TracerProvider) -> AsyncIterator[ApiClient]:
    """Worker and API on one traced Temporal client and the API's traced engine (the engine
    instrumentation is once per process: here both live in this one)."""
    plain = env.client
    client = Client(
        plain.service_client, namespace=plain.namespace, data_converter=plain.data_converter,
        plugins=temporal_plugins(provider),
    )  # fmt: skip
    queue = f"tq-{uuid.uuid4().hex}"
    app = create_app(make_test_settings(url, temporal_task_queue=queue), tracer_provider=provider)
    try:
        async with app.router.lifespan_context(app):
            app.state.temporal_client = client
            deps = ActivityDeps(
                sessions=app.state.sessions, client=client, task_queue=queue,
                mail=MailSettings(port=1, timeout_seconds=2),
            )  # fmt: skip
            transport = httpx.ASGITransport(app=app)
            async with (
                worker_running(make_worker(client, deps, queue), queue),
                httpx.AsyncClient(transport=transport, base_url="http://test") as http,
            ):
                yield ApiClient(app, http)
    finally:
        SQLAlchemyInstrumentor().uninstrument()


def _trace_of(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    [root] = [s for s in spans if s.name.startswith(name) and s.parent is None]
    return [s for s in spans if s.context.trace_id == root.context.trace_id]


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


@pytest.fixture(scope="module")
def traced() -> tuple[InMemorySpanExporter, TracerProvider]:
    """The process's tracer provider (Temporal's interceptor traces with the global one)."""
    exporter = InMemorySpanExporter()
    provider = create_tracer_provider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    opentelemetry.trace.set_tracer_provider(provider)
    return exporter, provider


async def test_one_step_submission_is_one_trace(traced, own_env, sqlite_url, sessions_for) -> None:
    exporter, provider = traced
    async with traced_stack(own_env, sqlite_url, provider) as api:
        case_id, view = await open_case(api, own_env, sessions_for(sqlite_url))
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        exporter.clear()
        url = f"/cases/{case_id}/steps/triage-attribution"
        response = await api.post(url, "E-SUPERVISOR", json=attribution(view))
        assert response.status_code == 200, response.text
    provider.force_flush()
    trace = _trace_of(exporter.get_finished_spans(), "POST /cases/{case_id}/steps/")
    names = [s.name for s in trace]
    by_id = {s.context.span_id: s for s in trace}
    assert any(n.startswith("StartWorkflowUpdate:") for n in names), names
    assert any(n.startswith(("HandleUpdate:", "ValidateUpdate:")) for n in names), names
    [record] = [s for s in trace if s.name.startswith("RunActivity:") and "record" in s.name]
    statements = [s for s in trace if s.attributes and s.attributes.get("db.system")]
    in_activity = [s for s in statements if record.name in _ancestors(s, by_id)]
    assert in_activity, "the record activity's statements are in the trace"
    assert any(s.name.split()[0] == "INSERT" for s in in_activity), [s.name for s in in_activity]
    api_statements = [s for s in statements if record.name not in _ancestors(s, by_id)]
    assert api_statements, "the API's own statements (who is calling) are in the trace"
    assert len({s.context.trace_id for s in trace}) == 1
