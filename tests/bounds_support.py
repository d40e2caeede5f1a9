"""Bounds on what a test waits for from Temporal, each failing with what it was waiting for.

The time-skipping test server answers a query or an update only once a worker takes it, and a
client call without an ``rpc_timeout`` carries no deadline: a call no worker takes (the worker
stopped, a query task lost) waits for ever. A skip of server time waits real time while an
activity or workflow task holds the server's clock; a worker stop waits for every activity still
running. Without bounds such a test sits silent until pytest-timeout ends it. The bounds are
generous: far above what any of these takes on a loaded machine, so reaching one means that
something is stuck, and the message says what.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from temporalio import client as temporal
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.fixtures.stalls import describe_tasks

# The deadline of a client call made without one (a query, an update, a terminate ...).
RPC_TIMEOUT = timedelta(seconds=30)
# Real seconds one skip of server time may take: the clock stands still while an activity runs,
# so a skip across an activity retried every minute takes real time (9 s for 2 h of retries of
# test_values_never_wait_silently at load 18).
SKIP_BOUND = 120.0
# Real seconds a worker may take to stop (running activities are cancelled when it stops).
WORKER_STOP_BOUND = 60.0


class BoundedCalls(temporal.Interceptor):
    """Gives every query, update, signal, terminate, cancel and describe made without an
    ``rpc_timeout`` the deadline RPC_TIMEOUT (the clients of the test servers use it)."""

    def intercept_client(self, next: temporal.OutboundInterceptor) -> temporal.OutboundInterceptor:
        return _Bounded(next)


def _bounded(inp: Any) -> Any:
    if inp.rpc_timeout is None:
        inp.rpc_timeout = RPC_TIMEOUT
    return inp


class _Bounded(temporal.OutboundInterceptor):
    async def query_workflow(self, input: temporal.QueryWorkflowInput) -> Any:
        return await self.next.query_workflow(_bounded(input))

    async def start_workflow_update(
        self, input: temporal.StartWorkflowUpdateInput
    ) -> temporal.WorkflowUpdateHandle[Any]:
        return await self.next.start_workflow_update(_bounded(input))

    async def signal_workflow(self, input: temporal.SignalWorkflowInput) -> None:
        await self.next.signal_workflow(_bounded(input))

    async def terminate_workflow(self, input: temporal.TerminateWorkflowInput) -> None:
        await self.next.terminate_workflow(_bounded(input))

    async def cancel_workflow(self, input: temporal.CancelWorkflowInput) -> None:
        await self.next.cancel_workflow(_bounded(input))

    async def describe_workflow(
        self, input: temporal.DescribeWorkflowInput
    ) -> temporal.WorkflowExecutionDescription:
        return await self.next.describe_workflow(_bounded(input))


async def sleep_within(env: WorkflowEnvironment, duration: timedelta) -> None:
    """``env.sleep(duration)`` (skip server time), failing after SKIP_BOUND real seconds."""
    try:
        await asyncio.wait_for(env.sleep(duration), SKIP_BOUND)
    except TimeoutError:
        raise AssertionError(
            f"skipping {duration} of server time took over {SKIP_BOUND:.0f} s of real time: "
            "something holds the test server's clock (an activity or workflow task that no "
            "running worker finishes)"
        ) from None


@asynccontextmanager
async def worker_running(worker: Worker, task_queue: str) -> AsyncIterator[None]:
    """Run WORKER for the block (a worker failure cancels the block, as ``async with Worker``
    does); stopping it afterwards takes at most WORKER_STOP_BOUND seconds, or the test fails
    with every task's awaits printed (activities still running show there)."""
    body = asyncio.current_task()
    run = asyncio.create_task(worker.run(), name=f"worker {task_queue}")
    stopping = asyncio.Event()

    def failed(task: asyncio.Task[None]) -> None:
        if not stopping.is_set() and not task.cancelled() and task.exception() and body:
            body.cancel()

    run.add_done_callback(failed)
    try:
        yield
    finally:
        stopping.set()
        await _stop(worker, run, task_queue)


async def _stop(worker: Worker, run: asyncio.Task[None], task_queue: str) -> None:
    shutdown = asyncio.create_task(worker.shutdown())
    done, _ = await asyncio.wait({run}, timeout=WORKER_STOP_BOUND)
    if not done:
        print(describe_tasks(), file=sys.stderr)
        run.cancel()
        shutdown.cancel()
        raise AssertionError(
            f"the worker on {task_queue} did not stop within {WORKER_STOP_BOUND:.0f} s (a stop "
            "waits for its running activities and workflow tasks; all tasks' awaits are above)"
        )
    await shutdown
    run.result()  # a worker failure fails the test
