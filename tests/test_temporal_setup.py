"""Search-attribute registration (idempotent) and encryption of what Temporal stores."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.errors import (
    ApiError,
    Conflict,
    Forbidden,
    NotFound,
    Unprocessable,
    raise_for_update_failure,
)
from domain.names import SEARCH_ATTRIBUTES
from infra.temporal import register_search_attributes
from tests.bounds_support import worker_running
from tests.fixtures.temporal import start_test_env

SECRET = "NM-SECRET-10442 narrative"


@workflow.defn(sandboxed=False)
class EchoWorkflow:
    @workflow.run
    async def run(self, text: str) -> str:
        if text.startswith("fail:"):
            raise ApplicationError(f"refused {text}", type="Refused", non_retryable=True)
        return text.upper()


@workflow.defn(sandboxed=False)
class StepWorkflow:
    """Rejects every submission the way the case workflows do: a typed ApplicationError."""

    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.done)

    @workflow.update
    async def submit(self, rejection: str) -> str:
        self.done = True
        return "accepted"

    @submit.validator
    def check(self, rejection: str) -> None:
        if rejection == "InvalidFields":
            errors = [{"field": "owner_id", "message": "not in the staff directory"}]
            raise ApplicationError("invalid fields", errors, type=rejection)
        if rejection:
            raise ApplicationError(f"rejected: {rejection}", type=rejection)


async def _custom_attributes(client: Client) -> dict[str, str]:
    response = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    return {k: IndexedValueType.Name(v) for k, v in response.custom_attributes.items()}


def _expected() -> dict[str, str]:
    return {k: f"INDEXED_VALUE_TYPE_{v.upper()}" for k, v in SEARCH_ATTRIBUTES.items()}


def _every_attribute() -> TypedSearchAttributes:
    samples: dict[str, Any] = {
        "Keyword": (SearchAttributeKey.for_keyword, "x"),
        "Datetime": (SearchAttributeKey.for_datetime, datetime(2026, 1, 5, tzinfo=UTC)),
        "Bool": (SearchAttributeKey.for_bool, True),
        "Int": (SearchAttributeKey.for_int, 1),
    }
    pairs: list[SearchAttributePair[Any]] = []
    for name, kind in SEARCH_ATTRIBUTES.items():
        make_key, value = samples[kind]
        pairs.append(SearchAttributePair(make_key(name), value))
    return TypedSearchAttributes(pairs)


async def _start_with(client: Client, attributes: TypedSearchAttributes) -> None:
    await client.start_workflow(
        "Unpolled",
        id=f"sa-{uuid.uuid4().hex}",
        task_queue="nobody-polls",
        search_attributes=attributes,
    )


async def test_registration_is_idempotent_on_the_test_server() -> None:
    # The test server cannot list search attributes, but it refuses unregistered ones on start.
    env = await start_test_env(register=False)
    unknown = TypedSearchAttributes(
        [SearchAttributePair(SearchAttributeKey.for_keyword("Nope"), "x")]
    )
    try:
        with pytest.raises(RPCError):
            await _start_with(env.client, _every_attribute())
        first = await register_search_attributes(env.client, env.client.namespace)
        second = await register_search_attributes(env.client, env.client.namespace)
        await _start_with(env.client, _every_attribute())
        with pytest.raises(RPCError):
            await _start_with(env.client, unknown)
    finally:
        await env.shutdown()
    assert first == list(SEARCH_ATTRIBUTES)
    assert second == []


@pytest.mark.devserver
async def test_registration_is_idempotent_on_the_dev_server(dev_env: WorkflowEnvironment) -> None:
    # The fixture registered once already; a second run adds nothing and breaks nothing.
    assert await register_search_attributes(dev_env.client, dev_env.client.namespace) == []
    attributes = await _custom_attributes(dev_env.client)
    assert {k: attributes[k] for k in SEARCH_ATTRIBUTES} == _expected()


async def _run(client: Client, task_queue: str, text: str) -> tuple[str, bytes]:
    """Run EchoWorkflow; returns its result (or failure message) and its raw history bytes."""
    handle_id = f"echo-{uuid.uuid4().hex}"
    async with worker_running(
        Worker(client, task_queue=task_queue, workflows=[EchoWorkflow]), task_queue
    ):
        handle = await client.start_workflow(
            EchoWorkflow.run,
            text,
            id=handle_id,
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=1),
        )
        try:
            outcome = await asyncio.wait_for(handle.result(), 60)
        except WorkflowFailureError as exc:
            assert isinstance(exc.cause, ApplicationError)
            outcome = exc.cause.message
        history = await handle.fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    [payload] = started.input.payloads
    assert payload.metadata["encoding"] == b"binary/encrypted"
    assert payload.metadata["encryption-key-id"] == b"test-k1"
    return outcome, history.to_json().encode() + b"".join(
        e.SerializeToString() for e in history.events
    )


async def test_inputs_and_results_are_stored_encrypted(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    result, raw = await _run(temporal_env.client, task_queue, SECRET)
    assert result == SECRET.upper()
    assert SECRET.encode() not in raw and SECRET.upper().encode() not in raw


async def test_failure_messages_are_stored_encrypted(
    temporal_env: WorkflowEnvironment, task_queue: str
) -> None:
    message, raw = await _run(temporal_env.client, task_queue, f"fail:{SECRET}")
    assert message == f"refused fail:{SECRET}"
    assert b"NM-SECRET-10442" not in raw
    assert b"Encoded failure" in raw


@pytest.mark.parametrize(
    ("rejection", "error", "status"),
    [
        ("WrongRole", Forbidden, 403),
        ("WrongStage", Conflict, 409),
        ("MissingPrerequisite", Conflict, 409),
        ("InvalidFields", Unprocessable, 422),
    ],
)
async def test_update_rejections_map_to_api_errors(
    temporal_env: WorkflowEnvironment,
    task_queue: str,
    rejection: str,
    error: type[ApiError],
    status: int,
) -> None:
    client = temporal_env.client
    async with worker_running(
        Worker(client, task_queue=task_queue, workflows=[StepWorkflow]), task_queue
    ):
        handle = await client.start_workflow(
            StepWorkflow.run, id=f"step-{uuid.uuid4().hex}", task_queue=task_queue
        )
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(
                StepWorkflow.submit, rejection, rpc_timeout=timedelta(seconds=10)
            )
        assert await handle.execute_update(StepWorkflow.submit, "") == "accepted"
        await asyncio.wait_for(handle.result(), 60)
    with pytest.raises(error) as mapped:
        raise_for_update_failure(failed.value)
    assert mapped.value.status_code == status
    if rejection == "InvalidFields":
        assert mapped.value.errors == [
            {"field": "owner_id", "message": "not in the staff directory"}
        ]
    else:
        assert mapped.value.detail == f"rejected: {rejection}" and mapped.value.errors == []


async def test_update_on_a_missing_workflow_is_not_found(temporal_env: WorkflowEnvironment) -> None:
    handle = temporal_env.client.get_workflow_handle("no-such-case")
    with pytest.raises(RPCError) as missing:
        await handle.execute_update("submit", "", rpc_timeout=timedelta(seconds=10))
    with pytest.raises(NotFound):
        raise_for_update_failure(missing.value)


def test_unmapped_failures_are_re_raised() -> None:
    original = WorkflowUpdateFailedError(ApplicationError("boom", type="Unexpected"))
    with pytest.raises(WorkflowUpdateFailedError):
        raise_for_update_failure(original)
