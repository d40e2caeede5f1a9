"""Pausing Python's cyclic garbage collector around CPU-bound, await-free bulk work.

Ingestion and review generation build hundreds of thousands of acyclic objects; the collector's
passes over that growing heap cost as much as the work itself (profiled). One counter shared by
every caller, so overlapping pauses from different threads never leave the collector off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_gc_lock = threading.Lock()
_gc_state = {"depth": 0, "was_enabled": False}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector until the outermost pause ends (thread-safe, re-entrant)."""
    with _gc_lock:
        if _gc_state["depth"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["depth"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["depth"] -= 1
            if _gc_state["depth"] == 0 and _gc_state["was_enabled"]:
                gc.enable()
