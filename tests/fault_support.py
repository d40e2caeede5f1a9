"""Fault injection on real parts: a loopback TCP proxy the test owns (a database or mail outage
without touching the shared server), the Temporal dev server on its own file, and the worker and
API as their own processes (`nearmiss worker`, `nearmiss api`) that a test can SIGKILL, pause and
restart."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from temporalio.client import Client

from cli.dev_cmd import temporal_command
from infra.temporal import data_converter
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import (
    TEST_ENCRYPTION_KEY,
    TEST_KEY_ID,
    TEST_TOKEN_SECRET,
    make_test_settings,
)

NEARMISS = str(Path(sys.executable).parent / "nearmiss")


class TcpProxy:
    """127.0.0.1:<port> forwarding to ``target``; ``cut()`` drops every connection and refuses
    new ones (as a dead server would), ``restore()`` accepts again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.up = True
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._open |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while self.up and (data := await reader.read(65536)):
                writer.write(data)
                await writer.drain()
        finally:
            self._open.discard(writer)
            writer.close()

    def cut(self) -> None:
        self.up = False
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    def restore(self) -> None:
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)


def service_env(database_url: str, temporal: str, queue: str, **extra: str) -> dict[str, str]:
    """Environment of a `nearmiss worker` or `nearmiss api` process in the test's stack."""
    return {
        **os.environ,
        "NEARMISS_ENV": "test",
        "NEARMISS_DATABASE_URL": database_url,
        "NEARMISS_TEMPORAL_ADDRESS": temporal,
        "NEARMISS_TEMPORAL_TASK_QUEUE": queue,
        "NEARMISS_TOKEN_SECRET": TEST_TOKEN_SECRET,
        "NEARMISS_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "NEARMISS_ENCRYPTION_KEY_ID": TEST_KEY_ID,
        "NEARMISS_SIGNING_KEY": TEST_SIGNING_KEY,
        "NEARMISS_BOOTSTRAP_ADMINS": "",
        **extra,
    }


class Service:
    """One `nearmiss worker|api` process: start, SIGKILL, SIGSTOP/SIGCONT, stop."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.command, self.env, self.log = command, env, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                NEARMISS, self.command, env=self.env, stdout=out, stderr=out,
                stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip

    async def kill(self) -> None:
        """SIGKILL: no clean-up, no graceful shutdown (a crash or OOM kill)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGCONT)
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def wait_healthy(base: str, within: float = 60) -> None:
    """Poll ``base``/health until it answers 200."""
    deadline = asyncio.get_running_loop().time() + within
    async with httpx.AsyncClient(base_url=base) as http:
        while asyncio.get_running_loop().time() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health", timeout=5)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy")


@asynccontextmanager
async def services(*items: Service) -> AsyncIterator[None]:
    """Start ``items`` and stop every one at exit, whatever happened."""
    try:
        for item in items:
            await item.start()
        yield
    finally:
        for item in items:
            await item.stop()


class DevServer:
    """`temporal server start-dev` on a file: stop it and start it again with its state."""

    def __init__(self, data: Path) -> None:
        port = free_port()
        self.settings = make_test_settings(
            data_dir=data, temporal_address=f"127.0.0.1:{port}", temporal_ui_port=free_port()
        )
        self.log = data / "temporal.log"
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> Client:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: ASYNC220 - returns at once
                temporal_command(self.settings), stdout=out, stderr=out, stdin=subprocess.DEVNULL
            )
        for _ in range(300):
            try:
                return await Client.connect(
                    self.settings.temporal_address, data_converter=data_converter(self.settings)
                )
            except RuntimeError:
                await asyncio.sleep(0.2)
        raise AssertionError("the dev server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
