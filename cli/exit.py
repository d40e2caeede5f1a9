"""Leave a short Temporal command at once, with its exit code, once its output is flushed.

The Temporal client's core threads can still call into Python while the interpreter finalizes,
which aborts the process ("Fatal Python error: PyGILState_Release", SIGABRT) after the command
has printed its result: observed in about 1 run in 10. A command that connected to Temporal
therefore flushes its output and ends the process with ``os._exit`` instead of finalizing.

Only the ``nearmiss`` executable (:func:`cli.main.main`, the console script) ends the process;
a command invoked in-process (``typer.testing.CliRunner`` in the tests, or any embedding code)
returns or raises its exit code as usual. An ``os._exit`` inside pytest would end the whole
test run with status 0 and hide every test after it.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec

import click

P = ParamSpec("P")


_ENTRY_POINT = False


def as_entry_point() -> None:
    """Called by the console script: commands of this process may end it at once."""
    global _ENTRY_POINT
    _ENTRY_POINT = True


def exits_at_once(command: Callable[P, Any]) -> Callable[P, Any]:
    """Wrap a CLI command: under the ``nearmiss`` executable, run it, flush stdout/stderr and
    logs, then ``os._exit(code)``; in-process (tests), just run it."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> Any:
        if not _ENTRY_POINT:
            return command(*args, **kwargs)
        code = 0
        try:
            command(*args, **kwargs)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except KeyboardInterrupt:
            code = 130
        except Exception:  # noqa: BLE001 - printed as Python would, then exit 1
            traceback.print_exc()
            code = 1
        _leave(code)

    return run


def _leave(code: int) -> NoReturn:
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
