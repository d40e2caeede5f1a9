"""``POST /sources/{feed}/records`` through the ASGI app against a real database."""

from __future__ import annotations

from tests.sources_support import ADMIN, URL, api, bearer, log_row, post

__all__ = ["api"]  # the fixture


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
