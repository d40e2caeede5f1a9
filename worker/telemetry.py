"""The worker's Temporal runtime: the SDK's own metrics on a Prometheus endpoint when asked."""

from __future__ import annotations

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from config.settings import Settings


def make_runtime(settings: Settings) -> Runtime | None:
    """A runtime exporting SDK metrics at ``worker_metrics_address`` (None: the default runtime).

    Names and units are the SDK's defaults (``temporal_…``, milliseconds), so Temporal's
    published SDK dashboards and schedule-to-start alerts work unchanged.
    """
    if not settings.worker_metrics_address:
        return None
    prometheus = PrometheusConfig(bind_address=settings.worker_metrics_address)
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
