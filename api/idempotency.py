"""Idempotency-Keys on the API's Temporal updates.

The key (with its request's fingerprint, ``keyed_update_id``) is the Update ID, so a retried
request is applied once and answers the same. A key is
used up only by an accepted (2xx) request, remembered with that request's fingerprint: the same
key with a different request (another body, case, step or person) answers 422 naming the key, as
payment APIs do; a key whose request was refused (4xx) may be sent again with a corrected one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.clock import app_now
from api.errors import FieldError, Unprocessable
from api.temporal_calls import execute_update
from store.db import transaction
from store.idempotency import key_fingerprint, use_key

T = TypeVar("T")
KEY_FIELD = "Idempotency-Key"


def keyed_update_id(key: str | None, request_print: str) -> str | None:
    """The Temporal Update ID for a keyed request: the key and its request's fingerprint.

    Temporal keeps an Update ID for the workflow run's whole life and answers a repeat with the
    first Update's result. A key is retained here only ``NEARMISS_IDEMPOTENCY_KEY_HOURS``; once
    expired it may carry a new request, which must not be answered with the old one. A retry of
    the same request still has the same ID, so it is applied once."""
    return None if key is None else f"{key}#{request_print[:16]}"


def fingerprint(workflow_id: str, update: str, arg: BaseModel) -> str:
    """What makes two requests the same request: the workflow, the update and its argument."""
    body: Any = [workflow_id, update, arg.model_dump(mode="json")]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def check_key(
    app: FastAPI, key: str | None, request_print: str, session: AsyncSession | None = None
) -> None:
    """422 when ``key`` was used up by a different accepted request (read in SESSION when
    given, else in a transaction of its own)."""
    if key is None:
        return
    if session is not None:
        used = await key_fingerprint(session, key, await _retained_since(app))
    else:
        async with transaction(app.state.sessions) as own:
            used = await key_fingerprint(own, key, await _retained_since(app))
    if used is not None and used != request_print:
        message = f"{key!r} was used by a different accepted request: send a new key"
        raise Unprocessable(
            "Idempotency-Key reused with a different request",
            [FieldError(field=KEY_FIELD, message=message)],
        )


async def record_key(app: FastAPI, key: str | None, request_print: str) -> None:
    """The request was accepted: ``key`` is used up by it."""
    if key is None:
        return
    async with transaction(app.state.sessions) as session:
        # The cleanup rides on each recording (an indexed DELETE, in the same statement on
        # PostgreSQL); a key used again after its retention is recorded for its new request.
        await use_key(session, key, request_print, await app_now(app), await _retained_since(app))


async def _retained_since(app: FastAPI) -> datetime:
    """The oldest use of a key still retained (``NEARMISS_IDEMPOTENCY_KEY_HOURS``)."""
    hours = app.state.settings.idempotency_key_hours
    return await app_now(app) - timedelta(hours=hours)


async def keyed_update(
    app: FastAPI,
    client: Client,
    workflow_id: str,
    update: str,
    arg: BaseModel,
    *,
    result_type: type[T],
    key: str | None,
) -> T:
    """``execute_update`` with the key checked first and used up only by an accepted answer."""
    request_print = fingerprint(workflow_id, update, arg)
    await check_key(app, key, request_print)
    result = await execute_update(
        client,
        workflow_id,
        update,
        arg,
        result_type=result_type,
        key=keyed_update_id(key, request_print),
    )
    await record_key(app, key, request_print)
    return result
