"""Pushing records to ``POST /sources/{feed}/records``: the API on a real database with an
administrator, bearer tokens and one workforce-reporting-log row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from domain.feeds import FeedRecord
from domain.ingest import validate_rows
from infra.tokens import mint_token
from store.db import transaction
from store.sources import UpsertResult, upsert_records
from tests.fixtures.temporal import TEST_TOKEN_SECRET, make_test_settings

ADMIN = "E-ADMIN"
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=1)))
FEED = "workforce-reporting-log"
URL = "/sources/workforce-reporting-log/records"


def log_row(reference: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "reference": reference,
        "employee_id": "E1",
        "service_line": "north",
        "submitted_at": "2026-11-20T10:00:00+00:00",
    }
    return row | overrides


def bearer(employee_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TEST_TOKEN_SECRET, employee_id)}"}


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_test_settings(database_url, bootstrap_admins=ADMIN))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def post(api: httpx.AsyncClient, records: Any, url: str = URL) -> httpx.Response:
    return await api.post(url, json={"records": records}, headers=bearer(ADMIN))


def records(feed: str, rows: list[dict[str, Any]]) -> list[FeedRecord]:
    """Rows of FEED validated into records (every row valid)."""
    valid, rejected = validate_rows(feed, rows)
    assert rejected == []
    return valid


async def upsert(
    sessions: async_sessionmaker[AsyncSession],
    rows: list[dict[str, Any]],
    at: datetime = T0,
    feed: str = FEED,
) -> UpsertResult:
    """Upsert ROWS of FEED at AT in one transaction."""
    async with transaction(sessions) as session:
        return await upsert_records(session, feed, records(feed, rows), at)
