"""Temporal client factory, the encrypting data converter and search-attribute registration."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta

from temporalio.api.enums.v1 import IndexedValueType, TaskQueueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, Plugin
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from domain.names import SEARCH_ATTRIBUTES
from infra.codec import EncryptionCodec

_INDEXED_TYPES: dict[str, IndexedValueType.ValueType] = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Text": IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Double": IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


def make_codec(settings: Settings) -> EncryptionCodec:
    """The payload codec: seals with the current key, opens with it and every retired one."""
    old: dict[str, str] = {}
    for item in settings.encryption_old_keys:
        key_id, sep, key = item.partition("=")
        if not sep or not key_id.strip() or not key.strip():
            raise ValueError(f"NEARMISS_ENCRYPTION_OLD_KEYS: {key_id!r} is not ID=BASE64KEY")
        old[key_id.strip()] = key.strip()
    return EncryptionCodec.from_base64(settings.encryption_key_id, settings.encryption_key, old)


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic JSON payloads, encrypted; failure messages and stack traces encrypted too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=make_codec(settings),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(
    settings: Settings,
    *,
    connect_timeout: timedelta | None = None,
    runtime: Runtime | None = None,
    plugins: Sequence[Plugin] = (),
) -> Client:
    """Connect to the configured server and namespace with the encrypting converter."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        tls=settings.temporal_tls,
        data_converter=data_converter(settings),
        connect_timeout=connect_timeout,
        runtime=runtime,
        plugins=plugins,
    )


async def _existing(client: Client, namespace: str) -> set[str] | None:
    """Names of the custom search attributes, or None when the server cannot list them."""
    try:
        response = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.UNIMPLEMENTED:
            return None
        raise
    return set(response.custom_attributes)


async def _add(client: Client, namespace: str, names: list[str]) -> list[str]:
    """Add ``names``; returns those this call created (existing ones are tolerated)."""
    request = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={name: _INDEXED_TYPES[SEARCH_ATTRIBUTES[name]] for name in names},
    )
    try:
        await client.operator_service.add_search_attributes(request)
        return names
    except RPCError as exc:
        if exc.status != RPCStatusCode.ALREADY_EXISTS:
            raise
    if len(names) == 1:
        return []
    # A concurrent registration got some of them first: retry one by one to learn which.
    added: list[str] = []
    for name in names:
        added += await _add(client, namespace, [name])
    return added


async def register_search_attributes(client: Client, namespace: str) -> list[str]:
    """Register ``domain.names.SEARCH_ATTRIBUTES``; idempotent, returns the names it added."""
    existing = await _existing(client, namespace)
    if existing is None:
        added: list[str] = []
        for name in SEARCH_ATTRIBUTES:
            added += await _add(client, namespace, [name])
        return added
    missing = [name for name in SEARCH_ATTRIBUTES if name not in existing]
    return await _add(client, namespace, missing) if missing else []


async def task_queue_pollers(client: Client, namespace: str, task_queue: str) -> dict[str, int]:
    """Pollers the server has seen recently on ``task_queue``, by kind (workflow, activity)."""
    counts: dict[str, int] = {}
    kinds = {"workflow": TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW}
    kinds["activity"] = TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY
    for kind, queue_type in kinds.items():
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=queue_type,
            ),
            timeout=timedelta(seconds=2),
        )
        counts[kind] = len(response.pollers)
    return counts
