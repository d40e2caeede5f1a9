"""The encryption codec, the data converter built on it, and the remote codec endpoints."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import BaseModel
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from api.app import create_app
from config.settings import Settings
from domain.feeds import StaffDirectory
from domain.roles import Role
from infra.codec import DecryptionError, EncryptionCodec, UnknownKeyError, decode_key
from infra.temporal import data_converter
from infra.tokens import mint_token
from store.db import make_engine, make_sessionmaker, transaction
from store.sources import upsert_records
from tests.fixtures.temporal import TEST_ENCRYPTION_KEY, TEST_KEY_ID, make_test_settings

OLD_KEY = base64.b64encode(b"o" * 32).decode()
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"reference":"NM-10442"}')


def _codec(key_id: str = TEST_KEY_ID, old: dict[str, str] | None = None) -> EncryptionCodec:
    return EncryptionCodec.from_base64(key_id, TEST_ENCRYPTION_KEY, old)


async def test_encrypts_whole_payload_and_round_trips() -> None:
    codec = _codec()
    [sealed] = await codec.encode([PLAIN])
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert sealed.metadata["encryption-key-id"] == TEST_KEY_ID.encode()
    assert b"NM-10442" not in sealed.data and b"json/plain" not in sealed.data
    assert await codec.decode([sealed]) == [PLAIN]


async def test_each_encoding_uses_a_fresh_nonce() -> None:
    codec = _codec()
    first, second = await codec.encode([PLAIN, PLAIN])
    assert first.data[:12] != second.data[:12] and first.data != second.data


async def test_unknown_key_id_is_refused_clearly() -> None:
    [sealed] = await EncryptionCodec.from_base64("k-other", OLD_KEY).encode([PLAIN])
    with pytest.raises(UnknownKeyError, match="unknown encryption key id 'k-other'"):
        await _codec().decode([sealed])


async def test_rotation_decodes_old_keys_and_encodes_with_current() -> None:
    [old_sealed] = await EncryptionCodec.from_base64("k0", OLD_KEY).encode([PLAIN])
    rotated = _codec(old={"k0": OLD_KEY})
    assert await rotated.decode([old_sealed]) == [PLAIN]
    [new_sealed] = await rotated.encode([PLAIN])
    assert new_sealed.metadata["encryption-key-id"] == TEST_KEY_ID.encode()


async def test_tampered_or_relabelled_payload_fails_authentication() -> None:
    codec = _codec(old={"k0": TEST_ENCRYPTION_KEY})
    [sealed] = await codec.encode([PLAIN])
    # One bit of the tag flipped (setting the last byte to 0 changed nothing when it was 0
    # already: one run in 256 failed).
    tampered = Payload(
        metadata=sealed.metadata, data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    )
    relabelled = Payload(metadata={**sealed.metadata, "encryption-key-id": b"k0"}, data=sealed.data)
    for bad in (tampered, relabelled):
        with pytest.raises(DecryptionError, match="failed authentication"):
            await codec.decode([bad])


async def test_unencrypted_payloads_pass_through() -> None:
    assert await _codec().decode([PLAIN]) == [PLAIN]


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_bad_keys_are_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="encryption key"):
        decode_key(value)


class Report(BaseModel):
    reference: str
    submitted_at: datetime


async def test_data_converter_encrypts_pydantic_values_and_failures() -> None:
    converter = data_converter(make_test_settings())
    report = Report(reference="NM-1", submitted_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    [payload] = await converter.encode([report])
    assert payload.metadata["encoding"] == b"binary/encrypted"
    assert await converter.decode([payload], [Report]) == [report]

    failure = Failure()
    await converter.encode_failure(ApplicationError("secret reason NM-1", type="X"), failure)
    assert failure.message == "Encoded failure" and b"NM-1" not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError) and decoded.message == "secret reason NM-1"


@asynccontextmanager
async def _api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def _wire(payload: Payload) -> dict[str, object]:
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode(),
    }


async def test_codec_endpoints_round_trip(sqlite_url: str) -> None:
    settings = make_test_settings(sqlite_url, env="development")
    plain = {"payloads": [_wire(PLAIN)]}
    async with _api(settings) as api:
        encoded = await api.post("/codec/encode", json=plain, headers={"X-Namespace": "default"})
        assert encoded.status_code == 200
        sealed = encoded.json()["payloads"][0]
        assert base64.b64decode(sealed["metadata"]["encoding"]) == b"binary/encrypted"
        decoded = await api.post("/codec/decode", json=encoded.json())
    assert decoded.status_code == 200
    assert decoded.json() == plain


async def test_decode_endpoint_reveals_converter_json(sqlite_url: str) -> None:
    settings = make_test_settings(sqlite_url, env="development")
    [payload] = await data_converter(settings).encode([{"reference": "NM-7", "count": 3}])
    async with _api(settings) as api:
        response = await api.post("/codec/decode", json={"payloads": [_wire(payload)]})
    [item] = response.json()["payloads"]
    assert base64.b64decode(item["metadata"]["encoding"]) == b"json/plain"
    assert json.loads(base64.b64decode(item["data"])) == {"reference": "NM-7", "count": 3}


async def test_decode_with_unknown_key_is_422(sqlite_url: str) -> None:
    [sealed] = await EncryptionCodec.from_base64("k-gone", OLD_KEY).encode([PLAIN])
    async with _api(make_test_settings(sqlite_url, env="development")) as api:
        response = await api.post("/codec/decode", json={"payloads": [_wire(sealed)]})
    assert response.status_code == 422
    assert "k-gone" in response.json()["detail"]


async def _add_staff(url: str, employee_id: str, roles: list[Role]) -> None:
    engine = make_engine(url)
    record = StaffDirectory(
        employee_id=employee_id,
        display_name=employee_id,
        email=f"{employee_id}@example.org",
        roles=roles,
        active=True,
    )
    async with transaction(make_sessionmaker(engine)) as session:
        await upsert_records(session, "staff-directory", [record], datetime.now(UTC))
    await engine.dispose()


async def test_codec_outside_development_needs_an_operator_or_case_reader(sqlite_url: str) -> None:
    settings = make_test_settings(sqlite_url)
    staff = {
        "E-INSP": [Role.INSPECTOR],
        "E-OPS": [Role.OPERATOR],
        "E-SUP": [Role.NEAR_MISS_GOVERNANCE_SUPERVISOR],
        "E-WORK": [Role.WORKER],
    }
    for employee_id, roles in staff.items():
        await _add_staff(sqlite_url, employee_id, roles)
    body = {"payloads": [_wire(PLAIN)]}

    def bearer(employee_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings.token_secret, employee_id)}"}

    async with _api(settings) as api:
        anonymous = await api.post("/codec/decode", json=body)
        forged = await api.post(
            "/codec/decode",
            json=body,
            headers={"Authorization": f"Bearer {mint_token('another-secret-' * 3, 'E-OPS')}"},
        )
        codes = {
            who: (await api.post("/codec/decode", json=body, headers=bearer(who))).status_code
            for who in staff
        }
    assert anonymous.status_code == 401 and forged.status_code == 401
    assert codes == {"E-INSP": 200, "E-OPS": 200, "E-SUP": 200, "E-WORK": 403}


async def test_development_codec_answers_loopback_callers_only(sqlite_url: str) -> None:
    app = create_app(make_test_settings(sqlite_url, env="development"))
    body = {"payloads": [_wire(PLAIN)]}
    codes = {}
    async with app.router.lifespan_context(app):
        for client in ("127.0.0.1", "::1", "192.0.2.7", "10.1.2.3"):
            transport = httpx.ASGITransport(app=app, client=(client, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                codes[client] = (await http.post("/codec/decode", json=body)).status_code
    assert codes == {"127.0.0.1": 200, "::1": 200, "192.0.2.7": 403, "10.1.2.3": 403}


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }


async def test_cors_in_development_admits_the_ui_port_on_both_loopback_names(
    sqlite_url: str,
) -> None:
    settings = make_test_settings(sqlite_url, env="development", temporal_ui_port=18233)
    async with _api(settings) as api:
        answers = {
            origin: await api.options("/codec/decode", headers=_preflight(origin))
            for origin in (
                "http://127.0.0.1:18233",
                "http://localhost:18233",
                "http://localhost:8233",
                "http://evil.example:18233",
            )
        }
    for origin in ("http://127.0.0.1:18233", "http://localhost:18233"):
        assert answers[origin].status_code == 200, origin
        assert answers[origin].headers["access-control-allow-origin"] == origin
    assert answers["http://localhost:8233"].status_code == 400
    assert answers["http://evil.example:18233"].status_code == 400


async def test_cors_outside_development_admits_only_the_configured_ui_origin(
    sqlite_url: str,
) -> None:
    settings = make_test_settings(sqlite_url, ui_origin="https://temporal.example.org")
    async with _api(settings) as api:
        allowed = await api.options(
            "/codec/decode", headers=_preflight("https://temporal.example.org")
        )
        loopback = await api.options("/codec/decode", headers=_preflight("http://127.0.0.1:8233"))
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://temporal.example.org"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert loopback.status_code == 400


async def test_malformed_bodies_answer_422_with_field_errors(sqlite_url: str) -> None:
    async with _api(make_test_settings(sqlite_url, env="development")) as api:
        not_payloads = await api.post("/codec/decode", json={"payloads": "x"})
        not_object = await api.post("/codec/decode", json=[1])
    assert not_payloads.status_code == 422 and not_object.status_code == 422
    assert not_payloads.json()["errors"][0]["field"] == "payloads"
    [error] = not_object.json()["errors"]
    assert error["field"] == "body" and error["message"]


async def test_rotation_by_configuration_opens_payloads_of_a_retired_key() -> None:
    before = make_test_settings(encryption_key_id="k0", encryption_key=OLD_KEY)
    [sealed] = await data_converter(before).encode([{"reference": "NM-9"}])
    rotated = make_test_settings(encryption_old_keys=f"k0={OLD_KEY}")
    assert await data_converter(rotated).decode([sealed]) == [{"reference": "NM-9"}]
    [resealed] = await data_converter(rotated).encode([{"reference": "NM-9"}])
    assert resealed.metadata["encryption-key-id"] == TEST_KEY_ID.encode()
    with pytest.raises(UnknownKeyError, match="'k0'"):
        await data_converter(make_test_settings()).decode([sealed])
    with pytest.raises(ValueError, match="ID=BASE64KEY"):
        data_converter(make_test_settings(encryption_old_keys="k0"))


async def test_decode_of_a_too_short_payload_is_422_not_500(sqlite_url: str) -> None:
    """Issue 10, item 6: data "AAAA" (three bytes) under our encoding was a 500 (nonce length)."""
    [sealed] = await _codec().encode([PLAIN])
    short = {**_wire(sealed), "data": "AAAA"}
    settings = make_test_settings(sqlite_url, env="development")
    async with _api(settings) as api:
        response = await api.post("/codec/decode", json={"payloads": [short]})
    assert response.status_code == 422, response.text
