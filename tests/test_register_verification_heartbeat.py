"""The nightly verification heartbeats while one long register is verified (its workflow sets
a heartbeat timeout, so a crashed worker's run is retried in minutes, not at its 6 h limit)."""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.testing import ActivityEnvironment

from activities.register_verification import heartbeating


@activity.defn
async def long_check() -> int:
    async with heartbeating(every=0.01):
        await asyncio.sleep(0.3)  # one register's verification, awaiting its database reads
    await asyncio.sleep(0.1)  # after it: no more heartbeats
    return 0


async def test_heartbeats_run_while_the_body_runs_and_stop_after() -> None:
    env, beats = ActivityEnvironment(), []
    env.on_heartbeat = lambda *details: beats.append(asyncio.get_running_loop().time())
    await env.run(long_check)
    ended = asyncio.get_running_loop().time()
    assert len(beats) >= 3, beats  # every 0.01 s over 0.3 s (generous for a loaded machine)
    assert ended - beats[-1] >= 0.1  # none in the 0.1 s after the body finished
