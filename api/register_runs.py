"""Full register verifications on demand, run as Temporal workflows: a request starts one (or
joins the one running) and returns; it never verifies inline, since a register of millions of
entries takes minutes. One workflow ID per register (``names.register_verification_id``), so a
second request while one runs joins it. The run carries when it was asked for, on the API's
clock (a memo), so pages say "running since" in the same time as everything else they show;
the outcome is the verification record the run writes (``store.register_checks``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from api.deps import temporal_client
from api.errors import ApiError
from api.temporal_calls import RPC_TIMEOUT, Unavailable, raise_temporal_failure
from domain import names
from domain.anchors import ANCHOR_QUERY_TIMEOUT, RegisterVerificationInput

REQUESTED_AT = "requested_at"  # the memo field: when the run was asked for (API clock, ISO)
# A run no worker ever takes (or whose activity keeps failing: 3 attempts of up to 6 h) ends
# here, so a page does not say "running" for ever and the next click starts a fresh one.
RUN_TIMEOUT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class VerificationRun:
    """A register's latest on-demand full verification as Temporal holds it."""

    register: str
    workflow_id: str
    run_id: str
    running: bool
    requested_at: datetime | None  # None: started without the memo (not by the API)


async def start_verification(
    app: FastAPI, register: str, now: datetime
) -> tuple[VerificationRun, bool]:
    """Start the register's full verification, or join the one running (idempotent: one run
    per register at a time); the run and whether this call started it. 503 when Temporal
    cannot be reached."""
    workflow_id = names.register_verification_id(register)
    try:
        client = await temporal_client(app)
        running = await _described(client, register, RPC_TIMEOUT.total_seconds())
        if running is not None and running.running:
            return running, False
        # USE_EXISTING: of two requests racing past the check above, one starts and one joins.
        await client.start_workflow(
            names.WF_REGISTER_VERIFICATION,
            RegisterVerificationInput(registers=[register]),
            id=workflow_id,
            task_queue=app.state.settings.temporal_task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            memo={REQUESTED_AT: now.isoformat()},
            execution_timeout=RUN_TIMEOUT,
            rpc_timeout=RPC_TIMEOUT,
        )
        started = await _described(client, register, RPC_TIMEOUT.total_seconds())
    except (RuntimeError, TimeoutError) as exc:
        raise Unavailable(f"{workflow_id}: Temporal unreachable ({type(exc).__name__})") from exc
    except Exception as exc:  # noqa: BLE001 - mapped or re-raised
        raise_temporal_failure(exc, workflow_id)
    return started or VerificationRun(register, workflow_id, "", True, now), True


async def verification_runs(app: FastAPI, registers: list[str]) -> dict[str, VerificationRun]:
    """Each register's latest on-demand full verification (running or done; none for one never
    started). Empty when Temporal cannot be asked: a page still shows what is recorded."""
    seconds = ANCHOR_QUERY_TIMEOUT.total_seconds()
    try:
        client = await temporal_client(app)
        runs = await asyncio.gather(*(_described(client, r, seconds) for r in registers))
    except Exception:  # noqa: BLE001 - the page shows what is recorded
        return {}
    return {run.register: run for run in runs if run is not None}


async def _described(client: Client, register: str, seconds: float) -> VerificationRun | None:
    """The register's latest run (None: never started). Reads the raw description: decoding
    every search attribute fails on some servers' datetime encodings."""
    workflow_id = names.register_verification_id(register)
    request = DescribeWorkflowExecutionRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
    )
    try:
        raw = await asyncio.wait_for(
            client.workflow_service.describe_workflow_execution(
                request, retry=False, timeout=RPC_TIMEOUT
            ),
            seconds,
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    info = raw.workflow_execution_info
    running = info.status == WorkflowExecutionStatus.RUNNING.value
    at = None
    if REQUESTED_AT in info.memo.fields:
        [text] = await client.data_converter.decode([info.memo.fields[REQUESTED_AT]], [str])
        at = datetime.fromisoformat(text)
    return VerificationRun(register, workflow_id, info.execution.run_id, running, at)


async def start_verifications(
    app: FastAPI, registers: list[str], now: datetime
) -> tuple[dict[str, VerificationRun], str]:
    """Start (or join) the full verification of each register; the runs, or none and a word
    on why when Temporal cannot be reached (the first failure stops the rest: each would wait
    as long). Never raises: a pack states what it could not start."""
    runs = {}
    for register in registers:
        try:
            runs[register], _ = await start_verification(app, register, now)
        except Unavailable:
            return runs, "Temporal unavailable"
        except ApiError as exc:
            return runs, exc.detail
        except Exception as exc:  # noqa: BLE001 - e.g. no client configured at all
            return runs, f"Temporal unavailable ({type(exc).__name__})"
    return runs, ""
