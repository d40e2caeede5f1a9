"""Benchmark 5: ``make run`` start-up (``nearmiss dev --demo``) until ``/health`` answers ok, in
a fresh data directory on free ports, against the bare Temporal dev server reaching its port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import Figure

BIN = Path(sys.executable).parent
TIMEOUT = 180.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process we started (``nearmiss dev`` then stops its own children)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _health_ok(url: str) -> bool:
    try:
        response = httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.json().get("status") == "ok"


def service_startup(demo: bool = True) -> float:
    """Seconds from launching ``nearmiss dev [--demo]`` until GET /health is ok."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as data:
        api, temporal, ui = free_port(), free_port(), free_port()
        env = os.environ | {
            "NEARMISS_DATA_DIR": data,
            "NEARMISS_API_PORT": str(api),
            "NEARMISS_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}",
            "NEARMISS_TEMPORAL_UI_PORT": str(ui),
            "NEARMISS_SMTP_PORT": str(free_port()),
            "NEARMISS_DATABASE_URL": f"sqlite+aiosqlite:///{data}/nearmiss.db",
        }
        command = [str(BIN / "nearmiss"), "dev", *(["--demo"] if demo else [])]
        start = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while not _health_ok(f"http://127.0.0.1:{api}/health"):
                if process.poll() is not None or time.perf_counter() - start > TIMEOUT:
                    raise RuntimeError(f"nearmiss dev did not get healthy (exit {process.poll()})")
                time.sleep(0.1)
            return time.perf_counter() - start
        finally:
            _stop(process)


def temporal_startup() -> float:
    """Seconds from launching the bare dev server (fresh db file) until its port accepts."""
    with tempfile.TemporaryDirectory(prefix="bench-temporal-") as data:
        port, ui = free_port(), free_port()
        command = [str(BIN / "temporal"), "server", "start-dev", "--db-filename"]
        command += [f"{data}/t.db", "--ip", "127.0.0.1", "--port", str(port)]
        command += ["--ui-port", str(ui), "--ui-disable-news-fetch", "--log-level", "error"]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        return time.perf_counter() - start
                if process.poll() is not None or time.perf_counter() - start > TIMEOUT:
                    raise RuntimeError("temporal dev server did not start")
                time.sleep(0.05)
        finally:
            _stop(process)


async def bench(quick: bool) -> list[Figure]:
    """Start-up of ``nearmiss dev --demo`` against the bare dev server (3 runs, 1 if quick)."""
    runs = 1 if quick else 3
    ours = [service_startup() for _ in range(runs)]
    bare = [temporal_startup() for _ in range(runs)]
    return [
        Figure(
            "startup",
            "nearmiss dev --demo until /health ok vs bare temporal port",
            "s",
            ours,
            bare,
            "fresh data dir, SQLite, free ports",
        ),
    ]
