"""Leave a short Temporal command at once, with its exit code, once its output is flushed.

The Temporal client's core threads can still call into Python while the interpreter finalizes,
which aborts the process ("Fatal Python error: PyGILState_Release", SIGABRT) after the command
has printed its result: observed in about 1 run in 10. A command that connected to Temporal
therefore flushes its output and ends the process with ``os._exit`` instead of finalizing.
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


def exits_at_once(command: Callable[P, Any]) -> Callable[P, NoReturn]:
    """Wrap a CLI command: run it, flush stdout/stderr and logs, then ``os._exit(code)``."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> NoReturn:
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
