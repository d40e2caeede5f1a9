"""Record and replay workflow histories (determinism guard for running cases)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.worker import Replayer

from infra.temporal import data_converter
from tests.fixtures.temporal import make_test_settings
from worker.registry import WORKFLOWS

HISTORY_DIR = Path(__file__).parent / "histories"


def replayer() -> Replayer:
    return Replayer(workflows=WORKFLOWS, data_converter=data_converter(make_test_settings()))


async def record_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """Replay the history just produced; with NEARMISS_RECORD_HISTORIES=1 also commit it."""
    history = await handle.fetch_history()
    await replayer().replay_workflow(history)
    if os.environ.get("NEARMISS_RECORD_HISTORIES") == "1":
        (HISTORY_DIR / f"{name}.json").write_text(history.to_json())
