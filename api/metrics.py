"""``GET /metrics``: HTTP metrics (prometheus-fastapi-instrumentator) and the service's figures.

Each app has its own registry. Service figures are read from the database when Prometheus
scrapes (register chains at most every ``CHAIN_INTERVAL``: the recorded verification continued
through the entries added since and checked against the heads anchored in Temporal, as the
registers pages do; old entries are re-read only by the
full verification, nightly and on demand, whose time and outcome are series too); labels are
codes only (example, step, level, feed, register, mail state), never personal data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator, metrics

from api.anchors import every_temporal_anchor
from api.clock import app_now
from api.deps import temporal_client
from infra.temporal import task_queue_pollers
from store import ops_metrics
from store.db import transaction
from store.ops_metrics import ChainState, Count

CHAIN_INTERVAL = 60.0
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

router = APIRouter(tags=["operations"])
_log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    """The service's figures as last read (a scrape refreshes them before answering)."""

    up: bool = False
    obligations: list[Count] = field(default_factory=list)
    cases: list[Count] = field(default_factory=list)
    overdue_reviews: list[Count] = field(default_factory=list)
    building_reviews: int = 0
    oldest_building_age: float = 0.0
    breaches: list[Count] = field(default_factory=list)
    mail: list[Count] = field(default_factory=list)
    oldest_mail_age: float = 0.0
    chains: list[ChainState] = field(default_factory=list)
    chains_at: float = float("-inf")
    pollers: dict[str, int] = field(default_factory=dict)


def _gauge(name: str, doc: str, labels: list[str], counts: list[Count], age: bool) -> Metric:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for count in counts:
        family.add_metric(list(count.labels), count.oldest_age if age else count.value)
    return family


class ServiceCollector(Collector):
    """Turns the app's latest ``Snapshot`` into gauges."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        yield GaugeMetricFamily(
            "nearmiss_service_metrics_up", "1 when the figures below were read", value=int(s.up)
        )
        level = ["example", "step", "escalation_level"]
        yield _gauge("nearmiss_open_obligations", "Open steps", level, s.obligations, False)
        yield _gauge("nearmiss_cases", "Cases by stage", ["example", "stage"], s.cases, False)
        yield _gauge(
            "nearmiss_reviews_overdue",
            "Reviews not marked reviewed past their deadline",
            ["example"],
            s.overdue_reviews,
            False,
        )
        yield GaugeMetricFamily(
            "nearmiss_reviews_building",
            "Reviews committed as building and not yet published (PostgreSQL), hidden from reads",
            value=s.building_reviews,
        )
        yield GaugeMetricFamily(
            "nearmiss_reviews_building_oldest_age_seconds",
            "Age of the oldest building review's latest claim (0: none)",
            value=s.oldest_building_age,
        )
        yield _gauge("nearmiss_breaches_open", "Unresolved breaches", level, s.breaches, False)
        yield _gauge(
            "nearmiss_breaches_open_oldest_age_seconds",
            "Age of the oldest unresolved breach",
            level,
            s.breaches,
            True,
        )
        yield _gauge("nearmiss_mail_messages", "Mails by state", ["state"], s.mail, False)
        yield GaugeMetricFamily(
            "nearmiss_mail_oldest_undelivered_age_seconds",
            "Age of the oldest mail not yet delivered (0: none)",
            value=s.oldest_mail_age,
        )
        yield from _chain_metrics(s.chains)
        pollers = GaugeMetricFamily(
            "nearmiss_task_queue_pollers",
            "Workers the Temporal server saw polling the service's task queue (absent: unknown)",
            labels=["kind"],
        )
        for kind, count in sorted(s.pollers.items()):
            pollers.add_metric([kind], count)
        yield pollers


def _chain_metrics(chains: list[ChainState]) -> Iterator[Metric]:
    label = ["register"]
    ok = GaugeMetricFamily(
        "nearmiss_register_chain_ok",
        "1 unless a verification recorded a failure (new entries are checked at each scrape, "
        "old ones by the full verification)",
        labels=label,
    )
    entries = GaugeMetricFamily(
        "nearmiss_register_entries", "Entries in the register", labels=label
    )
    verified = GaugeMetricFamily(
        "nearmiss_register_verified_entries",
        "Entries the recorded verification has reached",
        labels=label,
    )
    full_at = GaugeMetricFamily(
        "nearmiss_register_full_verification_timestamp_seconds",
        "When the last full verification ran (absent: never)",
        labels=label,
    )
    full_ok = GaugeMetricFamily(
        "nearmiss_register_full_verification_ok",
        "1 when the last full verification passed (absent: never ran)",
        labels=label,
    )
    for chain in chains:
        ok.add_metric([chain.register], 1 if chain.ok else 0)
        entries.add_metric([chain.register], chain.entries)
        verified.add_metric([chain.register], chain.verified)
        if chain.full_at is not None:
            full_at.add_metric([chain.register], chain.full_at)
            full_ok.add_metric([chain.register], 1 if chain.full_ok else 0)
    yield from (ok, entries, verified, full_at, full_ok)


async def _refresh_pollers(app: FastAPI, snapshot: Snapshot) -> None:
    settings = app.state.settings
    try:
        client = await temporal_client(app)
        snapshot.pollers = await task_queue_pollers(
            client, settings.temporal_namespace, settings.temporal_task_queue
        )
    except Exception:  # Temporal unreachable: the series is absent, which alerts too
        snapshot.pollers = {}


async def refresh(app: FastAPI) -> None:
    """Re-read the figures; on a database error ``nearmiss_service_metrics_up`` drops to 0."""
    snapshot: Snapshot = app.state.metrics_snapshot
    await _refresh_pollers(app, snapshot)
    now = await app_now(app)
    chains_due = time.monotonic() - snapshot.chains_at >= CHAIN_INTERVAL
    # The heads anchored in Temporal, as the pages check them: a register cut back below its
    # anchor (and its head moved back) must read 0 here too, not only on the page.
    anchored = (await every_temporal_anchor(app))[0] if chains_due else {}
    try:
        async with transaction(app.state.sessions) as session:
            snapshot.obligations = await ops_metrics.open_obligations(session)
            snapshot.cases = await ops_metrics.cases_by_stage(session)
            snapshot.overdue_reviews = await ops_metrics.overdue_reviews(session)
            (
                snapshot.building_reviews,
                snapshot.oldest_building_age,
            ) = await ops_metrics.building_reviews(session, now)
            snapshot.breaches = await ops_metrics.open_breaches(session, now)
            snapshot.mail, snapshot.oldest_mail_age = await ops_metrics.mail(session, now)
            if chains_due:
                snapshot.chains = await ops_metrics.register_chains(session, now, anchored)
                snapshot.chains_at = time.monotonic()
    except Exception:  # a scrape reports the failure as a series, it never fails itself
        _log.exception("service metrics could not be read")
        snapshot.up = False
        return
    snapshot.up = True


def count_rejections(app: FastAPI, feed: str, rejected: int) -> None:
    """Add ``rejected`` records of ``feed`` to ``nearmiss_feed_records_rejected_total``."""
    if rejected:
        app.state.feed_rejections.labels(feed=feed).inc(rejected)


def install_metrics(app: FastAPI) -> None:
    """Instrument every route (template, method, status, latency) and serve ``/metrics``."""
    registry = CollectorRegistry()
    app.state.metrics_registry = registry
    app.state.metrics_snapshot = Snapshot()
    registry.register(ServiceCollector(app.state.metrics_snapshot))
    app.state.feed_rejections = Counter(
        "nearmiss_feed_records_rejected",
        "Feed records rejected at ingestion over HTTP",
        ["feed"],
        registry=registry,
    )
    instrumentator = Instrumentator(
        should_group_status_codes=False,
        should_ignore_untemplated=True,
        excluded_handlers=["/metrics"],
        registry=registry,
    )
    instrumentator.add(
        metrics.requests(registry=registry),
        metrics.latency(buckets=LATENCY_BUCKETS, should_include_status=True, registry=registry),
    )
    instrumentator.instrument(app)
    app.include_router(router)


@router.get("/metrics", include_in_schema=False)
async def serve_metrics(request: Request) -> Response:
    """Prometheus text format; no auth (serve it on the internal network only)."""
    await refresh(request.app)
    body = generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
