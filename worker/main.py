"""The worker process: connect, build the worker, run until SIGINT/SIGTERM, clean up."""

from __future__ import annotations

import asyncio
import signal

from config.settings import Settings
from domain.collector import freeze_startup_heap
from infra.temporal import connect
from infra.tracing import instrument_engine, temporal_plugins, tracer_provider, use_globally
from store.db import make_engine, make_sessionmaker
from worker.registry import build_worker
from worker.telemetry import make_runtime

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def run_worker(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run the worker until SIGINT/SIGTERM (or ``stop`` is set); a worker failure re-raises."""
    stop = stop or asyncio.Event()
    tracing = tracer_provider(settings, "nearmiss-worker")
    use_globally(tracing)
    client = await connect(
        settings, runtime=make_runtime(settings), plugins=temporal_plugins(tracing)
    )
    engine = make_engine(settings.database_url)
    instrument_engine(engine, tracing)
    loop = asyncio.get_running_loop()
    for sig in _SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        worker = build_worker(client, settings, make_sessionmaker(engine, settings.signing_key))
        freeze_startup_heap()  # shorter full collections while Updates are in flight
        running = asyncio.create_task(worker.run())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not running.done():
            # Graceful: in-flight activities finish (up to the worker's graceful timeout).
            await worker.shutdown()
        await running
    finally:
        for sig in _SIGNALS:
            loop.remove_signal_handler(sig)
        await engine.dispose()
        if tracing is not None:
            tracing.shutdown()  # flushes the last spans
