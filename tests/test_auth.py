"""Bearer tokens (development HS256 and OIDC JWKS) and the actor/role dependencies."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from api.app import create_app
from config.settings import Settings
from domain.feeds import StaffDirectory
from domain.roles import Role
from infra.tokens import InvalidToken, TokenVerifier, mint_token
from store.db import make_engine, make_sessionmaker, transaction
from store.sources import upsert_records
from tests.fixtures.temporal import TEST_TOKEN_SECRET, make_test_settings

ISSUER = "https://idp.example.test"
AUDIENCE = "nearmiss-api"


@asynccontextmanager
async def _api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _directory(url: str, *records: StaffDirectory) -> None:
    engine = make_engine(url)
    async with transaction(make_sessionmaker(engine)) as session:
        await upsert_records(session, "staff-directory", list(records), datetime.now(UTC))
    await engine.dispose()


def _staff(
    employee_id: str, *roles: Role, active: bool = True, left_at: date | None = None
) -> StaffDirectory:
    return StaffDirectory(
        employee_id=employee_id,
        display_name=f"Name {employee_id}",
        email=f"{employee_id.lower()}@example.org",
        roles=list(roles),
        active=active,
        left_at=left_at,
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _token(employee_id: str, **kwargs: Any) -> dict[str, str]:
    return _bearer(mint_token(TEST_TOKEN_SECRET, employee_id, **kwargs))


@pytest.fixture
async def staffed_url(sqlite_url: str) -> str:
    today = datetime.now(UTC).date()
    await _directory(
        sqlite_url,
        _staff("E-ADMIN", Role.ADMINISTRATOR),
        _staff("E-ANALYST", Role.SAFETY_LEARNING_ASSURANCE_ANALYST),
        _staff("E-WORKER", Role.WORKER),
        _staff("E-INACTIVE", Role.ADMINISTRATOR, active=False),
        _staff("E-LEFT", Role.ADMINISTRATOR, left_at=today - timedelta(days=2)),
        _staff("E-LEAVING", Role.ADMINISTRATOR, left_at=today + timedelta(days=30)),
        _staff("E-BOOT", Role.INSPECTOR),
    )
    return sqlite_url


async def test_missing_expired_and_forged_tokens_are_401(staffed_url: str) -> None:
    expired = _token("E-ADMIN", ttl_minutes=5, now=datetime.now(UTC) - timedelta(hours=1))
    forged = _bearer(mint_token("another-secret-0123456789abcdef-0123456789", "E-ADMIN"))
    garbage = _bearer("not.a.token")
    async with _api(make_test_settings(staffed_url)) as api:
        for headers in ({}, expired, forged, garbage):
            response = await api.get("/me", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["errors"] == []


async def test_directory_decides_who_may_act(staffed_url: str) -> None:
    async with _api(make_test_settings(staffed_url)) as api:
        admin = await api.get("/me", headers=_token("E-ADMIN"))
        leaving = await api.get("/pathways/absent-owners", headers=_token("E-LEAVING"))
        statuses = {
            who: (await api.get("/me", headers=_token(who))).status_code
            for who in ("E-UNKNOWN", "E-INACTIVE", "E-LEFT")
        }
    assert admin.status_code == 200
    assert admin.json() == {
        "employee_id": "E-ADMIN",
        "display_name": "Name E-ADMIN",
        "email": "e-admin@example.org",
        "roles": ["administrator"],
    }
    assert leaving.status_code == 200
    assert statuses == {"E-UNKNOWN": 403, "E-INACTIVE": 403, "E-LEFT": 403}


async def test_wrong_role_is_403_naming_the_roles(staffed_url: str) -> None:
    async with _api(make_test_settings(staffed_url)) as api:
        worker_admin = await api.get("/pathways/absent-owners", headers=_token("E-ANALYST"))
        worker_reader = await api.get("/registers", headers=_token("E-WORKER"))
        analyst_reader = await api.get("/registers", headers=_token("E-ANALYST"))
    assert worker_admin.status_code == 403
    assert worker_admin.json()["detail"] == "requires one of the roles: administrator"
    assert worker_reader.status_code == 403
    assert analyst_reader.status_code == 200


async def test_bootstrap_admins_are_administrators(staffed_url: str) -> None:
    settings = make_test_settings(staffed_url, bootstrap_admins="E-FIRST,E-BOOT,E-LEFT")
    async with _api(settings) as api:
        first = await api.get("/me", headers=_token("E-FIRST"))
        boot = await api.get("/me", headers=_token("E-BOOT"))
        left = await api.get("/me", headers=_token("E-LEFT"))
        admitted = await api.get("/pathways/absent-owners", headers=_token("E-FIRST"))
    assert first.status_code == 200 and first.json()["roles"] == ["administrator"]
    assert sorted(boot.json()["roles"]) == ["administrator", "inspector"]
    assert left.status_code == 403  # the directory's leaver status still applies
    assert admitted.status_code == 200


def test_dev_token_claims() -> None:
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    claims = jwt.decode(
        mint_token(TEST_TOKEN_SECRET, "E-1", ttl_minutes=60, now=now),
        TEST_TOKEN_SECRET,
        algorithms=["HS256"],
        options={"verify_exp": False},
    )
    assert claims == {"sub": "E-1", "iat": 1767603600, "exp": 1767607200, "iss": "nearmiss-dev"}


# --- OIDC: a real JWKS served over HTTP on 127.0.0.1 -----------------------------------------


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def idp_key() -> rsa.RSAPrivateKey:
    return _rsa_key()


@pytest.fixture(scope="module")
def jwks_url(idp_key: rsa.RSAPrivateKey) -> Iterator[str]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(idp_key.public_key(), as_dict=True)
    body = json.dumps({"keys": [{**jwk, "kid": "idp-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()
    thread.join()


def _idp_token(
    key: rsa.RSAPrivateKey, sub: str = "E-ADMIN", kid: str = "idp-1", **claims: Any
) -> str:
    now = datetime.now(UTC)
    body = {"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(hours=1)}
    return jwt.encode({**body, **claims}, key, algorithm="RS256", headers={"kid": kid})


def _oidc_verifier(jwks_url: str) -> TokenVerifier:
    return TokenVerifier(secret="", jwks_url=jwks_url, issuer=ISSUER, audience=AUDIENCE)


def test_oidc_accepts_issuer_tokens(jwks_url: str, idp_key: rsa.RSAPrivateKey) -> None:
    assert _oidc_verifier(jwks_url).verify(_idp_token(idp_key, sub="E-42")) == "E-42"


@pytest.mark.parametrize(
    "case",
    ["wrong-audience", "wrong-issuer", "no-audience", "other-key", "unknown-kid", "dev-token"],
)
def test_oidc_rejects_bad_tokens(jwks_url: str, idp_key: rsa.RSAPrivateKey, case: str) -> None:
    token = {
        "wrong-audience": lambda: _idp_token(idp_key, aud="someone-else"),
        "wrong-issuer": lambda: _idp_token(idp_key, iss="https://evil.example"),
        "no-audience": lambda: jwt.encode(
            {
                "sub": "E-1",
                "iss": ISSUER,
                "iat": datetime.now(UTC),
                "exp": datetime.now(UTC) + timedelta(hours=1),
            },
            idp_key,
            algorithm="RS256",
            headers={"kid": "idp-1"},
        ),
        "other-key": lambda: _idp_token(_rsa_key()),
        "unknown-kid": lambda: _idp_token(idp_key, kid="idp-9"),
        "dev-token": lambda: mint_token(TEST_TOKEN_SECRET, "E-1"),
    }[case]()
    with pytest.raises(InvalidToken):
        _oidc_verifier(jwks_url).verify(token)


def test_oidc_needs_an_issuer(jwks_url: str) -> None:
    with pytest.raises(ValueError, match="issuer"):
        TokenVerifier(secret="", jwks_url=jwks_url)


async def test_api_in_oidc_mode(
    staffed_url: str, jwks_url: str, idp_key: rsa.RSAPrivateKey
) -> None:
    settings = make_test_settings(
        staffed_url, oidc_jwks_url=jwks_url, oidc_issuer=ISSUER, oidc_audience=AUDIENCE
    )
    async with _api(settings) as api:
        ok = await api.get("/me", headers=_bearer(_idp_token(idp_key)))
        dev = await api.get("/me", headers=_token("E-ADMIN"))
    assert ok.status_code == 200 and ok.json()["employee_id"] == "E-ADMIN"
    assert dev.status_code == 401
