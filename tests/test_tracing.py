"""OpenTelemetry: one step submission is one trace (``tests/tracing_scenario.py``, run in its own
interpreter; see its docstring), and without NEARMISS_OTEL_ENDPOINT nothing is instrumented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from api.app import create_app
from infra.tracing import temporal_plugins, tracer_provider
from tests.fixtures.temporal import make_test_settings

ROOT = Path(__file__).resolve().parent.parent


def test_one_step_submission_is_one_trace() -> None:
    # No assertion rewriting or hypothesis plugin: nothing is compiled after the scenario.
    scenario = [
        "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "--assert=plain",
        "-q", "tests/tracing_scenario.py",
    ]  # fmt: skip
    done = subprocess.run([sys.executable, *scenario], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout


async def test_nothing_is_instrumented_without_an_endpoint(sqlite_url: str) -> None:
    app = create_app(make_test_settings(sqlite_url, otel_endpoint=""))
    assert app.state.tracer_provider is None and app.state.temporal_plugins == []
    settings = make_test_settings(sqlite_url, otel_endpoint="http://127.0.0.1:4318")
    provider = tracer_provider(settings, "nearmiss-api")
    assert provider is not None and len(temporal_plugins(provider)) == 1
    span = provider.get_tracer("t").start_span("s")
    assert span.resource.attributes["service.name"] == "nearmiss-api"  # type: ignore[attr-defined]
    span.end()
    provider.shutdown()
