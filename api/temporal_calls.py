"""Temporal calls made by the API: updates, queries and starts, each with an RPC timeout, and the
one place their failures become API errors (rejections, not found, unreachable).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Annotated, Any, NoReturn, TypeVar

from fastapi import Header
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError, RPCStatusCode

from api.deps import Actor
from api.errors import ApiError, Conflict, NotFound, raise_for_update_failure
from domain.cases import Actor as CaseActor

RPC_TIMEOUT = timedelta(seconds=10)
T = TypeVar("T")

_UNREACHABLE = frozenset({RPCStatusCode.UNAVAILABLE})
_TIMED_OUT = frozenset({RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED})


class Unavailable(ApiError):
    """Temporal (or the worker behind it) did not answer: retry later."""

    status_code = 503


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Becomes the Temporal update ID: a retry with the same key is applied once "
        "and answers the same. One is made up when absent.",
    ),
]


def case_actor(actor: Actor) -> CaseActor:
    """The actor as workflows see it: employee ID and the directory's roles (sorted, stable)."""
    return CaseActor(employee_id=actor.employee_id, roles=sorted(actor.roles))


def update_id(key: str | None) -> str:
    """The update ID for an Idempotency-Key header (a fresh UUID when the client sent none)."""
    return key or str(uuid.uuid4())


def raise_temporal_failure(exc: Exception, subject: str) -> NoReturn:
    """Re-raise a Temporal failure as the API error it means: typed rejections (403/409/422),
    not found (404), unreachable or too slow (503); anything else as is."""
    if isinstance(exc, WorkflowUpdateFailedError):
        raise_for_update_failure(exc)
    if isinstance(exc, RPCTimeoutOrCancelledError):
        raise Unavailable(f"{subject}: Temporal did not answer in time") from exc
    if isinstance(exc, WorkflowQueryFailedError | WorkflowQueryRejectedError):
        raise Conflict(f"{subject}: {exc}") from exc
    if isinstance(exc, RPCError):
        if exc.status in _TIMED_OUT:  # the RPC timeout ran out (e.g. no worker to answer)
            raise Unavailable(f"{subject}: Temporal did not answer in time") from exc
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise NotFound(f"{subject}: {exc.message or 'not found'}") from exc
        if exc.status in _UNREACHABLE:
            raise Unavailable(f"{subject}: Temporal unreachable ({exc.message})") from exc
    if isinstance(exc, RuntimeError):  # the core bridge's error when the connection is gone
        raise Unavailable(f"{subject}: Temporal unreachable ({exc})") from exc
    raise exc


async def execute_update(
    client: Client,
    workflow_id: str,
    update: str,
    arg: Any,
    *,
    result_type: type[T],
    key: str | None = None,
) -> T:
    """Run an update to completion; ``key`` (Idempotency-Key) is its ID, so retries dedupe."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        result: T = await handle.execute_update(
            update, arg, id=update_id(key), result_type=result_type, rpc_timeout=RPC_TIMEOUT
        )
        return result
    except RPCError as exc:
        # A finished workflow answers "not found" too: that is a 409, not a 404.
        if exc.status == RPCStatusCode.NOT_FOUND:
            status = await workflow_status(client, workflow_id)
            if status is not None:
                raise Conflict(f"{workflow_id} is {status_name(status)}: no more changes") from exc
        raise_temporal_failure(exc, workflow_id)
    except Exception as exc:  # noqa: BLE001 - mapped or re-raised
        raise_temporal_failure(exc, workflow_id)


async def query(
    client: Client,
    workflow_id: str,
    name: str,
    *,
    result_type: type[T],
    rpc_timeout: timedelta = RPC_TIMEOUT,
) -> T:
    """Query a workflow (a worker must be running; it answers from replayed state).

    RPC_TIMEOUT bounds the whole call: the client retries an unreachable server within it on
    its own (about 9 s against a stopped server, whatever the per-attempt timeout)."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        answer: T = await asyncio.wait_for(
            handle.query(name, result_type=result_type, rpc_timeout=rpc_timeout),
            rpc_timeout.total_seconds(),
        )
        return answer
    except TimeoutError as exc:
        raise Unavailable(f"{workflow_id}: Temporal did not answer in time") from exc
    except Exception as exc:  # noqa: BLE001 - mapped or re-raised
        raise_temporal_failure(exc, workflow_id)


async def workflow_status(
    client: Client, workflow_id: str, *, rpc_timeout: timedelta = RPC_TIMEOUT
) -> WorkflowExecutionStatus | None:
    """The latest run's status, or None when no workflow has that ID (``Unavailable`` when
    Temporal does not answer within ``rpc_timeout``, retries included).

    Reads the raw description: only the status is needed, and decoding every search attribute
    (as ``WorkflowHandle.describe`` does) fails on some servers' datetime encodings.
    """
    request = DescribeWorkflowExecutionRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
    )
    try:  # bounded as a whole, as ``query`` is: the client's own retries ignore the timeout
        raw = await asyncio.wait_for(
            client.workflow_service.describe_workflow_execution(
                request, retry=True, timeout=rpc_timeout
            ),
            rpc_timeout.total_seconds(),
        )
    except TimeoutError as exc:
        raise Unavailable(f"{workflow_id}: Temporal did not answer in time") from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise_temporal_failure(exc, workflow_id)
    except Exception as exc:  # noqa: BLE001 - mapped or re-raised
        raise_temporal_failure(exc, workflow_id)
    return WorkflowExecutionStatus(raw.workflow_execution_info.status)


def status_name(status: WorkflowExecutionStatus | None) -> str:
    """``running``, ``completed``… (``starting`` when there is no workflow yet)."""
    return "starting" if status is None else status.name.lower()
