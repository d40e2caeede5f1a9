"""``POST /sources/{feed}/records`` through the ASGI app against a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from infra.tokens import mint_token
from tests.fixtures.temporal import TEST_TOKEN_SECRET, make_test_settings

ADMIN = "E-ADMIN"
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


async def test_valid_records_land_next_to_rejected_ones(api) -> None:
    batch = [log_row("A"), log_row("B", risk_domain="medication"), log_row("C", submitted_at="x")]
    response = await post(api, batch)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1 and body["inserted"] == 1
    assert [r["index"] for r in body["rejected"]] == [1, 2]
    assert body["rejected"][0]["errors"] == [
        {"field": "risk_domain", "message": "Extra inputs are not permitted"}
    ]
    assert body["rejected"][1]["errors"][0]["field"] == "submitted_at"


async def test_resending_changes_nothing_and_changes_are_versioned(api) -> None:
    first = await post(api, [log_row("A"), log_row("B")])
    again = await post(api, [log_row("A"), log_row("B")])
    changed = await post(api, [log_row("A", triage_owner_id="E7"), log_row("B")])
    assert first.json() | {"rejected": []} == {
        "accepted": 2,
        "rejected": [],
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert (again.json()["inserted"], again.json()["unchanged"]) == (0, 2)
    assert (changed.json()["updated"], changed.json()["unchanged"]) == (1, 1)


async def test_unknown_feed_is_404(api) -> None:
    response = await post(api, [log_row("A")], url="/sources/workforce-log/records")
    assert response.status_code == 404
    assert "workforce-log" in response.json()["detail"]


async def test_malformed_bodies_are_422(api) -> None:
    not_a_list = await api.post(URL, json={"records": {"a": 1}}, headers=bearer(ADMIN))
    not_objects = await post(api, ["NM-1"])
    too_many = await post(api, [{}] * 50_001)
    assert [r.status_code for r in (not_a_list, not_objects, too_many)] == [422, 422, 422]


async def test_only_administrators_may_push(api) -> None:
    staff = {
        "employee_id": "E-WORKER",
        "display_name": "W",
        "email": "w@x.org",
        "roles": ["worker"],
        "active": True,
    }
    assert (await post(api, [staff], url="/sources/staff-directory/records")).status_code == 200
    anonymous = await api.post(URL, json={"records": [log_row("A")]})
    worker = await api.post(URL, json={"records": [log_row("A")]}, headers=bearer("E-WORKER"))
    assert (anonymous.status_code, worker.status_code) == (401, 403)
