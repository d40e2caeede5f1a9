"""What a test waits for from Temporal is bounded, and a stall says what it waited for.

On the time-skipping server a query no worker takes never answers, an activity no worker runs
holds the server's clock (a skip then waits real time), and a worker stop waits for its running
activities. The bounds of tests/bounds_support.py are lowered here so each stall shows at once.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from tests import bounds_support
from tests.bounds_support import sleep_within, worker_running
from tests.fixtures.stalls import await_chain, describe_tasks
from tests.workflow_support import holds, wait_for

ACTIVITY = "bounded-test-activity"


@workflow.defn(name="bounded-test-workflow", sandboxed=False)
class RunsOneActivity:
    """Runs ACTIVITY once; answers the query ``started``."""

    @workflow.run
    async def run(self) -> str:
        result: str = await workflow.execute_activity(
            ACTIVITY, start_to_close_timeout=timedelta(minutes=1)
        )
        return result

    @workflow.query
    def started(self) -> bool:
        return True


def _queue() -> str:
    return f"tq-{uuid.uuid4().hex}"


def _activity(*, swallow_cancel: bool) -> tuple[object, list[str]]:
    """An activity that waits 30 s, recording what happens to it; SWALLOW_CANCEL: it goes on
    waiting (3 s more) when cancelled, as a call stuck out of asyncio's reach would."""
    seen: list[str] = []

    @activity.defn(name=ACTIVITY)
    async def wait() -> str:
        seen.append("started")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            seen.append("cancelled")
            if not swallow_cancel:
                raise
            await asyncio.sleep(3)
        seen.append("ended")
        return "finished"

    return wait, seen


async def _start(env, queue):
    return await env.client.start_workflow(RunsOneActivity.run, id=queue, task_queue=queue)


async def test_a_worker_stop_cancels_its_running_activity(own_env) -> None:
    queue = _queue()
    wait, seen = _activity(swallow_cancel=False)
    worker = Worker(
        own_env.client, task_queue=queue, workflows=[RunsOneActivity], activities=[wait]
    )
    async with worker_running(worker, queue):
        await _start(own_env, queue)
        await wait_for(lambda: holds(seen == ["started"]), within=30)
    assert seen == ["started", "cancelled"]  # stopped by cancelling it, not by waiting for it


async def test_a_worker_stop_held_by_an_activity_fails_naming_it(own_env, monkeypatch) -> None:
    monkeypatch.setattr(bounds_support, "WORKER_STOP_BOUND", 1.0)
    queue = _queue()
    wait, seen = _activity(swallow_cancel=True)
    worker = Worker(
        own_env.client, task_queue=queue, workflows=[RunsOneActivity], activities=[wait]
    )
    with pytest.raises(AssertionError, match=f"the worker on {queue} did not stop within 1 s"):
        async with worker_running(worker, queue):
            await _start(own_env, queue)
            await wait_for(lambda: holds(seen == ["started"]), within=30)
    assert seen == ["started", "cancelled"]  # cancelled, and still running
    await wait_for(lambda: holds(seen[-1] == "ended"), within=30)


async def test_a_query_no_worker_takes_fails_at_its_deadline(own_env, monkeypatch) -> None:
    monkeypatch.setattr(bounds_support, "RPC_TIMEOUT", timedelta(seconds=1))
    handle = await _start(own_env, _queue())  # no worker polls its queue
    with pytest.raises(RPCError) as failed:  # the deadline ends it (client or server side)
        await handle.query(RunsOneActivity.started)
    assert failed.value.status in (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED)


async def test_a_skip_held_by_an_activity_no_worker_runs_fails(own_env, monkeypatch) -> None:
    monkeypatch.setattr(bounds_support, "SKIP_BOUND", 1.0)
    queue = _queue()
    # Workflows only: the activity is scheduled, never started, and holds the server's clock.
    worker = Worker(own_env.client, task_queue=queue, workflows=[RunsOneActivity])
    async with worker_running(worker, queue):
        handle = await _start(own_env, queue)
        assert await handle.query(RunsOneActivity.started)
        before = await own_env.get_current_time()
        with pytest.raises(AssertionError, match="took over 1 s of real time"):
            await sleep_within(own_env, timedelta(hours=1))
        assert await own_env.get_current_time() - before < timedelta(minutes=1)
        await handle.terminate()


async def test_wait_for_fails_naming_a_check_that_never_answers() -> None:
    async def never() -> bool:
        await asyncio.Event().wait()
        return True

    with pytest.raises(AssertionError, match=r"the check .*never .* still waiting after 0.1 s"):
        await wait_for(never, within=0.1)


async def test_a_stalled_task_shows_each_await_down_into_context_managers() -> None:
    @asynccontextmanager
    async def held():
        yield
        await asyncio.Event().wait()

    async def stalled() -> None:
        async with held():
            pass

    task = asyncio.create_task(stalled(), name="stalled-task")
    await asyncio.sleep(0.01)
    chain = await_chain(task.get_coro())
    names = [line.rsplit(" in ", 1)[-1] for line in chain[:-1]]
    assert names == ["stalled", "__aexit__", "held", "wait"]
    assert chain[-1] == "awaits a future"
    assert "--- stalled-task" in describe_tasks()
    task.cancel()
