"""``POST /sources/{feed}/records`` reads its body raw: the answers FastAPI gave stay the same."""

from __future__ import annotations

import json

import httpx
import pytest

from api.app import create_app
from store.db import make_engine, make_sessionmaker
from store.sources import current_records, record_versions
from tests.fixtures.temporal import make_test_settings
from tests.sources_support import ADMIN, URL, api, bearer, log_row

__all__ = ["api"]  # the fixture, from tests.sources_support

JSON = "application/json"
FIELDS_INVALID = "Input should be a valid dictionary or object to extract fields from"


async def send(
    api: httpx.AsyncClient, content: bytes, content_type: str | None = JSON
) -> httpx.Response:
    headers = bearer(ADMIN) | ({"content-type": content_type} if content_type else {})
    return await api.post(URL, content=content, headers=headers)


@pytest.mark.parametrize(
    ("content", "content_type", "errors"),
    [
        (b'{"records": {"a": 1}}', JSON, [("records", "Input should be a valid list")]),
        (
            b'{"records": ["NM-1", {}, 3]}',
            JSON,
            [
                ("records.0", "Input should be a valid dictionary"),
                ("records.2", "Input should be a valid dictionary"),
            ],
        ),
        (b"{}", JSON, [("records", "Field required")]),
        (b'{"records": [', JSON, [("13", "JSON decode error")]),
        (b"", JSON, [("body", "Field required")]),
        (b"[]", JSON, [("body", FIELDS_INVALID)]),
        (b'{"records": []}', "text/plain", [("body", FIELDS_INVALID)]),
        (b'{"records": []}', None, [("body", FIELDS_INVALID)]),
    ],
)
async def test_malformed_bodies_get_the_same_422(
    api: httpx.AsyncClient, content: bytes, content_type: str | None, errors: list[tuple[str, str]]
) -> None:
    response = await send(api, content, content_type)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "invalid request"
    assert [(e["field"], e["message"]) for e in body["errors"]] == errors


async def test_what_json_loads_reads_still_lands_and_undecodable_text_is_400(
    api: httpx.AsyncClient,
) -> None:
    document = json.dumps({"records": [log_row("A")]})
    with_bom = await send(api, b"\xef\xbb\xbf" + document.encode())
    utf16 = await send(api, document.replace('"A"', '"B"').encode("utf-16"))
    vendor_type = await send(api, document.encode(), "application/vnd.feed+json")
    latin1 = await send(api, document.replace('"A"', '"\xe9"').encode("latin-1"))
    assert [r.json()["accepted"] for r in (with_bom, utf16, vendor_type)] == [1, 1, 1]
    assert [r.json()["inserted"] for r in (with_bom, utf16, vendor_type)] == [1, 1, 0]
    assert latin1.status_code == 400


async def test_a_valid_batch_with_a_repeated_key_stores_its_last_row(
    api: httpx.AsyncClient, database_url: str
) -> None:
    batch = [log_row("A"), log_row("B"), log_row("A", employee_id="E2")]
    response = await send(api, json.dumps({"records": batch}).encode())
    assert response.json() == {
        "accepted": 3,
        "rejected": [],
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
    }
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            current = await current_records(session, "workforce-reporting-log")
            versions = await record_versions(session, "workforce-reporting-log", "A")
    finally:
        await engine.dispose()
    assert current["A"]["employee_id"] == "E2" and len(versions) == 1


async def test_rejections_in_a_batch_keep_their_index_and_field(api: httpx.AsyncClient) -> None:
    batch = [log_row("A"), log_row("B", submitted_at="2026-11-20T10:00:00", employee_id="")]
    body = (await send(api, json.dumps({"records": batch}).encode())).json()
    assert (body["accepted"], body["inserted"]) == (1, 1)
    assert [(r["index"], sorted(e["field"] for e in r["errors"])) for r in body["rejected"]] == [
        (1, ["employee_id", "submitted_at"])
    ]


def test_the_body_is_documented_as_a_record_batch() -> None:
    document = create_app(make_test_settings()).openapi()
    body = document["paths"]["/sources/{feed}/records"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True and schema["title"] == "RecordBatch"
    assert schema["required"] == ["records"]
    assert schema["properties"]["records"]["maxItems"] == 50_000
    assert schema["properties"]["records"]["items"]["type"] == "object"
