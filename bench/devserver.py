"""A Temporal dev server for benchmarks: fresh db file under /tmp, free ports, our search
attributes, the project's data converter; stopped (by its own pid) on exit."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.client import Client

from bench.startup import free_port
from cli.dev_cmd import temporal_command
from config.settings import Settings
from infra.temporal import data_converter


@asynccontextmanager
async def dev_server() -> AsyncIterator[Client]:
    """Yield a client of a fresh dev server (the ``nearmiss dev`` command line, other ports)."""
    with tempfile.TemporaryDirectory(prefix="bench-temporal-") as data:
        port = free_port()
        settings = Settings(
            env="development",  # a local dev server; production settings demand a token secret
            data_dir=Path(data),
            temporal_address=f"127.0.0.1:{port}",
            temporal_ui_port=free_port(),
        )
        command = [*temporal_command(settings), "--log-level", "error"]
        # Popen returns at once (it does not wait for the child): fine in a coroutine.
        process = subprocess.Popen(  # noqa: ASYNC220
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            client = await _connect(settings, process)
            yield client
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _connect(settings: Settings, process: subprocess.Popen[bytes]) -> Client:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError("the Temporal dev server exited")
        try:
            return await Client.connect(
                settings.temporal_address, data_converter=data_converter(settings)
            )
        except RuntimeError:
            await asyncio.sleep(0.1)
    raise RuntimeError("the Temporal dev server did not start")
