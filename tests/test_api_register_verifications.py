"""A full verification asked for over HTTP runs as a Temporal workflow (real time-skipping
server, real worker and activities, SQLite and PostgreSQL): the POST returns 202 at once with
where to look, a second POST while it runs joins it (one run), the run records its outcome, and
an unknown register is a field-level 404 that starts nothing; a run is started with a timeout
(the time-skipping server cannot skip past a run no worker takes, so the timeout's effect is not
exercised here, only that the run carries it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from temporalio.service import RPCError, RPCStatusCode

from api.register_runs import RUN_TIMEOUT
from domain import names
from store.db import transaction
from store.tables import RegisterEntry
from tests.factories import load, staff_rows
from tests.register_support import REGISTER, append_entries
from tests.workflow_support import running_worker, wait_for

ASKED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the API's clock, fixed for the test
URL = f"/registers/{REGISTER}/verifications"


async def _fixed_clock() -> datetime:
    return ASKED_AT


async def test_a_full_verification_runs_as_one_workflow_per_register(
    own_env, database_url, sessions, api_for, task_queue
):
    await load(sessions, "staff-directory", staff_rows())
    await append_entries(sessions, 3)
    async with transaction(sessions) as session:  # an old entry altered behind our back
        await session.execute(
            update(RegisterEntry).where(RegisterEntry.seq == 2).values(payload={"n": 99})
        )
    api = await api_for(database_url, temporal=own_env.client, temporal_task_queue=task_queue)
    api.app.state.clock = _fixed_clock

    first = await api.post(URL, "E-INSPECTOR")  # no worker yet: it cannot have run inline
    assert first.status_code == 202, first.text
    assert first.headers["Location"] == f"{URL}/current"
    body = first.json()
    assert (body["running"], body["started"], body["recorded"]) == (True, True, None)
    assert body["workflow_id"] == names.register_verification_id(REGISTER)
    assert datetime.fromisoformat(body["running_since"]) == ASKED_AT
    again = (await api.post(URL, "E-BOARD")).json()  # a second click while it runs
    assert (again["started"], again["run_id"]) == (False, body["run_id"])  # joined, one run
    current = (await api.get(f"{URL}/current", "E-INSPECTOR")).json()
    assert (current["running"], current["run_id"], current["recorded"]) == (
        True, body["run_id"], None,
    )  # fmt: skip

    async with running_worker(own_env, sessions, task_queue=task_queue):

        async def finished() -> dict[str, Any] | None:
            found = (await api.get(f"{URL}/current", "E-INSPECTOR")).json()
            return None if found["running"] else dict(found)

        done = await wait_for(finished)
    assert (done["run_id"], done["running_since"]) == (body["run_id"], None)
    record = done["recorded"]
    assert (record["full_ok"], record["first_bad_seq"]) == (False, 2)
    assert record["reason"] == "payload does not match its digest" and record["full_verified_at"]
    [listed] = (await api.get("/registers", "E-INSPECTOR")).json()
    assert listed["verification"] == record

    later = (await api.post(URL, "E-INSPECTOR")).json()  # after it finished: a new run
    assert later["started"] is True and later["run_id"] != body["run_id"]


async def test_an_unknown_register_is_a_field_level_404_and_starts_nothing(
    own_env, sqlite_url, sessions_for, api_for, task_queue
):
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=task_queue)
    missing = await api.post("/registers/nope/verifications", "E-INSPECTOR")
    assert missing.status_code == 404
    assert missing.json()["errors"] == [{"field": "name", "message": "no register of this name"}]
    current = await api.get("/registers/nope/verifications/current", "E-INSPECTOR")
    assert current.status_code == 404
    handle = own_env.client.get_workflow_handle(names.register_verification_id("nope"))
    with pytest.raises(RPCError) as raised:
        await handle.describe()
    assert raised.value.status == RPCStatusCode.NOT_FOUND  # nothing was started
    refused = await api.post(f"/registers/{REGISTER}/verifications", "W-100")
    assert refused.status_code == 403


async def test_a_run_is_started_with_a_timeout_so_none_says_running_for_ever(
    own_env, sqlite_url, sessions_for, api_for, task_queue
):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    await append_entries(sessions, 2)
    api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=task_queue)
    assert (await api.post(URL, "E-INSPECTOR")).json()["running"] is True
    handle = own_env.client.get_workflow_handle(names.register_verification_id(REGISTER))
    config = (await handle.describe()).raw_description.execution_config
    assert config.workflow_execution_timeout.ToTimedelta() == RUN_TIMEOUT
    await handle.terminate("test over")  # no worker: it would stall the server's time skipping
