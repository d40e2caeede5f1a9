"""Idempotency-Keys expire after their retention (NEARMISS_IDEMPOTENCY_KEY_HOURS, 24 h): within
it the same key with a different request is refused; after it the key is new again, and the
expired rows are deleted when the API next records a key. Driven by the app's injectable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from api.errors import Unprocessable
from api.idempotency import check_key, keyed_update_id, record_key
from store.tables import IdempotencyKeyUse
from tests.fixtures.api import ApiFactory

T0 = datetime(2026, 12, 7, 9, tzinfo=UTC)


async def _keys(api: Any) -> list[str]:
    async with api.app.state.sessions() as session:
        rows = await session.scalars(select(IdempotencyKeyUse.idempotency_key))
        return sorted(rows)


async def test_keys_expire_after_their_retention(database_url: str, api_for: ApiFactory) -> None:
    api = await api_for(database_url)
    app, now = api.app, [T0]

    async def clock() -> datetime:
        return now[0]

    app.state.clock = clock
    assert app.state.settings.idempotency_key_hours == 24
    await check_key(app, "key-1", "request-a")
    await record_key(app, "key-1", "request-a")
    now[0] = T0 + timedelta(hours=23, minutes=59)
    await check_key(app, "key-1", "request-a")  # a retry of the same request: fine
    with pytest.raises(Unprocessable):
        await check_key(app, "key-1", "request-b")  # within 24 h: used up
    await record_key(app, "key-2", "request-c")
    assert await _keys(api) == ["key-1", "key-2"]  # nothing expired yet

    now[0] = T0 + timedelta(hours=24, minutes=1)
    await check_key(app, "key-1", "request-b")  # expired: the key is new again
    await record_key(app, "key-3", "request-d")  # recording a key deletes the expired ones
    assert await _keys(api) == ["key-2", "key-3"]
    await record_key(app, "key-1", "request-b")  # and an expired key can be used afresh
    now[0] = T0 + timedelta(hours=25)
    with pytest.raises(Unprocessable):
        await check_key(app, "key-1", "request-a")
    async with api.app.state.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(IdempotencyKeyUse))
    assert count == 3

    # key-2's use expires at T0 + 47:59 while its row is still stored: used again, the row is
    # replaced by the new request's use (not kept, and not deleted with the other expired ones)
    now[0] = T0 + timedelta(hours=48)
    await check_key(app, "key-2", "request-e")
    await record_key(app, "key-2", "request-e")
    await check_key(app, "key-2", "request-e")
    with pytest.raises(Unprocessable):
        await check_key(app, "key-2", "request-c")


def test_the_update_id_carries_the_request_so_an_expired_key_is_not_answered_with_its_old_one():
    """Temporal keeps an Update ID for the workflow run's life and answers a repeat with the
    first result: a key reused after expiry for another request must make another Update ID
    (review finding), while a retry of the same request keeps its ID (applied once)."""
    first = keyed_update_id("key-1", "a" * 64)
    assert first == keyed_update_id("key-1", "a" * 64)  # a retry: the same Update
    assert first != keyed_update_id("key-1", "b" * 64)  # the key used again for another request
    assert first is not None and first.startswith("key-1")  # still findable by its key
    assert keyed_update_id(None, "a" * 64) is None  # no key: Temporal's own fresh ID
