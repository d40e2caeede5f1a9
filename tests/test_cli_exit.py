"""CLI commands that talk to Temporal exit 0, every time (issue 10, item 4: they died of SIGABRT
in finalization, "PyGILState_Release", in a few runs out of 40). Each command runs 30 times."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tests.factories import load, staff_rows
from tests.fault_support import NEARMISS, service_env
from tests.workflow_support import running_worker

pytestmark = [pytest.mark.devserver, pytest.mark.faults, pytest.mark.timeout(900)]
RUNS = 30
AT_ONCE = 3


def a_saturday() -> date:
    day = date(2026, 12, 5)
    assert day.weekday() == 5
    return day


async def run_many(args: list[str], env: dict[str, str]) -> list[tuple[int, bytes]]:
    gate = asyncio.Semaphore(AT_ONCE)

    async def once() -> tuple[int, bytes]:
        async with gate:
            process = await asyncio.create_subprocess_exec(
                NEARMISS,
                *args,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            out, _ = await asyncio.wait_for(process.communicate(), 120)
            assert process.returncode is not None
            return process.returncode, out

    return await asyncio.gather(*(once() for _ in range(RUNS)))


async def test_temporal_setup_and_review_exit_zero_thirty_times(dev_env, sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    target = dev_env.client.service_client.config.target_host
    async with running_worker(dev_env, sessions) as queue:
        env = service_env(sqlite_url, target, queue)
        for args in (
            ["temporal-setup"],
            ["review", "acknowledgment", a_saturday().isoformat()],
        ):
            results = await run_many(args, env)
            failures = [(code, out.decode()[-400:]) for code, out in results if code != 0]
            assert failures == [], (args, len(failures), failures[:2])
