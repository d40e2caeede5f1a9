"""``nearmiss replay`` (a downloaded history, or a workflow ID on the server) and
``nearmiss projection rebuild`` (the case rows and timelines back from Temporal after a restore):
real dev server, real worker, SQLite."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from cli.main import app
from cli.ops_cmd import CASE_WORKFLOWS, rebuild_projection, replay
from store.tables import Case, CaseEvent
from tests.api_support import open_case
from tests.fixtures.api import open_api
from tests.fixtures.keys import TEST_SIGNING_KEY
from tests.fixtures.temporal import (
    TEST_ENCRYPTION_KEY,
    TEST_KEY_ID,
    TEST_TOKEN_SECRET,
    make_test_settings,
)
from tests.histories import HISTORY_DIR
from tests.workflow_support import running_worker, wait_for

HISTORY = HISTORY_DIR / "ack-case-low-impact.json"
ENV = {
    "NEARMISS_ENV": "test", "NEARMISS_TOKEN_SECRET": TEST_TOKEN_SECRET,
    "NEARMISS_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY, "NEARMISS_ENCRYPTION_KEY_ID": TEST_KEY_ID,
    "NEARMISS_SIGNING_KEY": TEST_SIGNING_KEY,
}  # fmt: skip


def test_replay_of_a_downloaded_history_passes() -> None:
    result = CliRunner().invoke(app, ["replay", str(HISTORY)], env=ENV)
    assert result.exit_code == 0, result.output
    assert f"{HISTORY}: replays" in result.output


def test_replay_refuses_a_history_this_code_would_not_make(tmp_path: Path) -> None:
    history = json.loads(HISTORY.read_text())
    for event in history["events"]:
        scheduled = event.get("activityTaskScheduledEventAttributes")
        if scheduled:
            scheduled["activityType"]["name"] = "an_activity_this_code_never_calls"
            break
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(history))
    result = CliRunner().invoke(app, ["replay", str(HISTORY), str(changed)], env=ENV)
    assert result.exit_code == 1
    assert f"{HISTORY}: replays" in result.output
    assert f"{changed}: FAILS" in result.output


@pytest.mark.devserver
async def test_replay_by_id_and_rebuild_the_projection(dev_env, sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    queue = f"tq-rebuild-{uuid.uuid4().hex}"
    settings = make_test_settings(sqlite_url, temporal_task_queue=queue)
    async with (
        running_worker(dev_env, sessions, task_queue=queue),  # queries need a worker
        open_api(sqlite_url, temporal=dev_env.client, temporal_task_queue=queue) as api,
    ):
        case_id, _view = await open_case(api, dev_env, sessions)
        [(target, failure)] = await replay([case_id], settings, client=dev_env.client)
        assert (target, failure) == (case_id, None)
        before, events = await _case_and_events(sessions, case_id)
        async with sessions() as session, session.begin():  # the restored backup lacks them
            await session.execute(delete(CaseEvent))
            await session.execute(delete(Case))
        query = f'TaskQueue = "{queue}"'  # other tests' cases share the dev server
        types = ", ".join(f'"{t}"' for t in CASE_WORKFLOWS)

        async def listed() -> bool:
            listing = dev_env.client.list_workflows(f"WorkflowType IN ({types}) AND {query}")
            return [x async for x in listing] != []

        await wait_for(listed, within=30)
        written = await rebuild_projection(settings, client=dev_env.client, query=query)
        again = await rebuild_projection(settings, client=dev_env.client, query=query)
    rebuilt, count = await _case_and_events(sessions, case_id)
    async with sessions() as session:
        cases = await session.scalar(select(func.count()).select_from(Case))
    assert written == again == cases >= 1
    assert rebuilt.stage == before.stage == "triage-attribution"
    assert (rebuilt.escalation_level, rebuilt.status) == (before.escalation_level, "open")
    assert rebuilt.employee_id == before.employee_id and rebuilt.deadline == before.deadline
    assert count == events > 0  # the same timeline, once, however often it is rebuilt


async def _case_and_events(sessions, case_id: str) -> tuple[Case, int]:
    async with sessions() as session:
        case = await session.get(Case, case_id)
        events = await session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    assert case is not None
    return case, events


def test_a_command_invoked_in_process_returns_instead_of_ending_the_process() -> None:
    # Only the `nearmiss` executable ends its process at once (cli/exit.py); in-process, an
    # os._exit would end a whole pytest run with status 0 and hide the tests after it.
    code = (
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        f"result = CliRunner().invoke(app, ['replay', {str(HISTORY)!r}], env={ENV!r})\n"
        "print('returned', result.exit_code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "returned 0" in done.stdout, done.stdout + done.stderr
