"""``nearmiss dev``: everything on one machine — migrations, Temporal dev server, worker, API.

Children run in their own process groups, so the terminal's Ctrl-C reaches only this process,
which then stops them in reverse order (terminate, wait, kill). Temporal's log goes to a file
(it is verbose); the worker's and API's lines go to the console with a prefix and to files.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import IO, Any

import typer

from cli.demo_data import DEMO_STAFF
from config.settings import DEV_ENV, Settings
from domain.names import SEARCH_ATTRIBUTES

STOP_TIMEOUT = 10.0
START_TIMEOUT = 120.0


class _Stop(Exception):
    """Raised in the main thread by SIGTERM, so shutdown runs the same path as Ctrl-C."""


def _script(name: str) -> str:
    """A console script of this environment (the venv's ``bin/``)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise typer.BadParameter(f"{path} not found: install the project (make run does)")
    return str(path)


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


def temporal_command(settings: Settings) -> list[str]:
    """The ``temporal server start-dev`` command line for these settings."""
    _host, port = _host_port(settings.temporal_address)
    command = [
        _script("temporal"), "server", "start-dev",
        "--db-filename", str(settings.data_dir / "temporal.db"),
        "--ip", "127.0.0.1", "--port", str(port), "--ui-port", str(settings.temporal_ui_port),
        # The UI appends /encode and /decode; the API serves them under /codec.
        "--ui-codec-endpoint", f"{settings.public_url}/codec",
        "--ui-disable-news-fetch",
    ]  # fmt: skip
    if settings.temporal_namespace != "default":  # "default" always exists
        command += ["--namespace", settings.temporal_namespace]
    for name, kind in SEARCH_ATTRIBUTES.items():
        command += ["--search-attribute", f"{name}={kind}"]
    return command


try:  # Linux: looked up here, because the child may only call it (no dlopen after fork)
    _PRCTL: Any = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent() -> None:
    # SIGTERM the child if this process dies without cleaning up (e.g. SIGKILL).
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Children:
    """Child processes, each in its own process group, stopped in reverse start order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], *, echo: bool) -> subprocess.Popen[bytes]:
        """Start ``command``; its output goes to ``<log_dir>/<name>.log`` (and the console)."""
        log = (self.log_dir / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE if echo else log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
        if echo:
            assert proc.stdout is not None
            threading.Thread(target=_pump, args=(name, proc.stdout, log), daemon=True).start()
        else:
            log.close()
        self.procs.append((name, proc))
        return proc

    def exited(self) -> tuple[str, int] | None:
        """The first child that has exited, with its code."""
        for name, proc in self.procs:
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def stop(self) -> None:
        """Terminate every process group, wait, then kill what is left."""
        for _name, proc in reversed(self.procs):
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        self.procs.clear()


def _signal_group(proc: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)


def _pump(name: str, stream: IO[bytes], log: IO[bytes]) -> None:
    with log:
        for line in stream:
            log.write(line)
            log.flush()
            sys.stdout.write(f"[{name}] {line.decode(errors='replace')}")
            sys.stdout.flush()


def wait_for_port(host: str, port: int, proc: subprocess.Popen[Any], name: str) -> None:
    """Block until ``host:port`` accepts connections; fail if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not listen on {host}:{port} within {START_TIMEOUT:.0f} s")


async def _register_search_attributes(settings: Settings) -> list[str]:
    from infra.temporal import connect, register_search_attributes

    client = await connect(settings)
    return await register_search_attributes(client, settings.temporal_namespace)


def _apply_schedules(nearmiss: str) -> None:
    # Tolerated for now: schedules are a convenience locally, and the command may be missing.
    done = subprocess.run([nearmiss, "schedules", "apply"], stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        typer.echo(f"warning: `nearmiss schedules apply` failed (exit {done.returncode})", err=True)


def _print_urls(settings: Settings, log_dir: Path, demo: bool) -> None:
    url = settings.public_url
    lines = [
        f"API             {url}",
        f"staff pages     {url}/app   (sign in as anyone: development only)",
        f"API docs        {url}/docs",
        f"dashboard       {url}/dashboard",
        f"Temporal UI     http://127.0.0.1:{settings.temporal_ui_port}",
        f"Temporal gRPC   {settings.temporal_address} (namespace {settings.temporal_namespace})",
        f"database        {settings.database_url}",
        f"logs            {log_dir}/temporal.log (file only), worker.log and api.log (also here:"
        " a line per activity and per request; NEARMISS_LOG_FORMAT=json for JSON lines)",
        f"mail            {settings.data_dir / 'mail'} (SMTP sink on port {settings.smtp_port})",
    ]
    if demo:
        admin = DEMO_STAFF["administrator"]
        lines.append(f"demo token      nearmiss token {admin}   (the demo administrator)")
    typer.echo("\n".join(["", *lines, "Ctrl-C stops everything.", ""]))


def _start_all(settings: Settings, children: Children, demo: bool) -> None:
    """Start the server, register search attributes, start worker and API, schedules, demo."""
    host, port = _host_port(settings.temporal_address)
    temporal = children.start("temporal", temporal_command(settings), echo=False)
    wait_for_port(host, port, temporal, "the Temporal dev server")
    asyncio.run(_register_search_attributes(settings))  # idempotent; covers an older db file
    nearmiss = _script("nearmiss")
    if settings.smtp_host in ("127.0.0.1", "localhost"):
        mail_dir = settings.data_dir / "mail"
        children.start(
            "mail",
            [
                sys.executable,
                "-m",
                "cli.mailsink",
                settings.smtp_host,
                str(settings.smtp_port),
                str(mail_dir),
            ],
            echo=True,
        )
    children.start("worker", [nearmiss, "worker"], echo=True)
    api = children.start("api", [nearmiss, "api"], echo=True)
    _apply_schedules(nearmiss)
    if demo:
        from cli.demo_cmd import run_demo_data, start_demo_reviews

        as_of = run_demo_data(seed=7, reports=120)
        started = asyncio.run(start_demo_reviews(settings, as_of))
        typer.echo(f"demo reviews    {', '.join(started)} (sign in as their step-1 roles)")
    api_host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "") else settings.api_host
    wait_for_port(api_host, settings.api_port, api, "the API")


def use_development_env(environ: MutableMapping[str, str]) -> None:
    """Development unless the environment says otherwise; the children inherit it."""
    for name, value in DEV_ENV.items():
        environ.setdefault(name, value)


def _raise_stop(_signum: int, _frame: object) -> None:
    raise _Stop


def run_dev(demo: bool) -> None:
    """Run migrations, the Temporal dev server, worker and API until Ctrl-C or SIGTERM."""
    from store.migrate import upgrade

    use_development_env(os.environ)
    settings = Settings()
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(upgrade(settings.database_url))
    typer.echo(f"database migrated: {settings.database_url}")
    signal.signal(signal.SIGTERM, _raise_stop)
    children = Children(log_dir)
    code = 0
    try:
        _start_all(settings, children, demo)
        _print_urls(settings, log_dir, demo)
        while (gone := children.exited()) is None:
            time.sleep(0.5)
        typer.echo(f"{gone[0]} exited with code {gone[1]}; stopping (see {log_dir})", err=True)
        code = 1
    except (KeyboardInterrupt, _Stop):
        typer.echo("stopping…")
    except RuntimeError as exc:
        typer.echo(f"error: {exc} (logs in {log_dir})", err=True)
        code = 1
    finally:
        children.stop()
    if code:
        raise typer.Exit(code)
