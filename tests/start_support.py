"""The instant the suite runs as of: ``NEARMISS_TEST_START`` (test-only), or the real now.

CI runs on whatever day it is, so a test that builds its dates from "now" can pass for months
and fail on the day a fixed skip crosses a bank holiday, a weekend or a clock change. Setting
``NEARMISS_TEST_START=2026-12-22T16:30:00+00:00`` runs the suite as if started at that instant:
every time-skipping server is skipped forward to it (plus the real time elapsed since the run
began) before its test starts, and ``suite_now()`` gives the same shifted instant to tests and
apps that would otherwise read the wall clock. The test server's clock only moves forward, so
the start must lie in the future. The dev server (real time) and token expiry stay on the wall
clock: they cannot be shifted.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

START_VAR = "NEARMISS_TEST_START"


def _start(text: str, now: datetime) -> datetime:
    """TEXT as an aware instant; ``--MM-DDTHH:MM±HH:MM`` (ISO 8601's date without a year) is its
    next occurrence after NOW, so CI can always run "as of the next 22 December"."""
    if not text.startswith("--"):
        start = datetime.fromisoformat(text)
    else:
        for year in range(now.year, now.year + 9):
            try:
                start = datetime.fromisoformat(f"{year}-{text[2:]}")
            except ValueError:  # 29 February in a common year
                continue
            if start > now:
                break
    if start.tzinfo is None:
        raise ValueError(f"{START_VAR}={text!r}: give an offset (e.g. +00:00)")
    return start


def _offset() -> timedelta:
    text = os.environ.get(START_VAR, "").strip()
    if not text:
        return timedelta(0)
    now = datetime.now(UTC)
    offset = _start(text, now) - now
    if offset < timedelta(0):
        raise ValueError(f"{START_VAR}={text!r} is past: a test server's clock only moves forward")
    return offset


OFFSET = _offset()
"""How far the suite's clock runs ahead of the wall clock (zero without NEARMISS_TEST_START)."""


def suite_now() -> datetime:
    """The suite's current instant (UTC): the wall clock moved by ``NEARMISS_TEST_START``."""
    return datetime.now(UTC) + OFFSET


async def suite_clock() -> datetime:
    """``suite_now`` as an app clock (``app.state.clock``)."""
    return suite_now()


async def skip_to_suite_now(env: WorkflowEnvironment) -> None:
    """Move a fresh time-skipping server's clock forward to ``suite_now()`` (no-op without
    ``NEARMISS_TEST_START``). One sleep: nothing runs on a fresh server to wake on the way."""
    if OFFSET <= timedelta(0):
        return
    ahead = suite_now() - await env.get_current_time()
    if ahead > timedelta(0):
        await env.sleep(ahead)
