"""Production sign-in against a real OpenID provider (oidc-provider on loopback): the
authorization code flow with PKCE, state and nonce; the employee ID from a configured claim;
unknown, inactive and claim-less people refused with a clear page; same-origin return only."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from api.app import create_app
from domain.roles import Role
from tests.factories import load, staff_rows
from tests.fixtures.mail import free_port
from tests.fixtures.oidc import serve_tls, start_provider
from tests.fixtures.temporal import make_test_settings

CLAIM = "staff_number"  # a configurable claim, not the provider's `sub`
ACCOUNTS = {
    "ana.lyst": {CLAIM: "E-ANALYST"},
    "gone": {CLAIM: "E-GONE"},
    "stranger": {CLAIM: "E-NOBODY"},
    "no-claim": {},
}
FORM = re.compile(r"<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", re.S)
HIDDEN = re.compile(r"<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")


@asynccontextmanager
async def _stack(
    sqlite_url: str,
    sessions: Any,
    tmp_path: Path,
    clock: list[float] | None = None,
    **overrides: Any,
) -> AsyncIterator[str]:
    """Staff, the provider and the API (production settings, over TLS, plus ``overrides``);
    yields the API's URL."""
    extra = {"E-GONE": [Role.SAFETY_LEARNING_ASSURANCE_ANALYST]}
    rows = staff_rows(extra)
    for row in rows:
        if row["employee_id"] == "E-GONE":
            row["active"] = False
    await load(sessions, "staff-directory", rows)
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    async with start_provider(f"{base}/app/sign-in/oidc/callback", ACCOUNTS) as provider:
        settings = make_test_settings(
            sqlite_url,
            env="production",
            public_url=base,
            oidc_issuer=provider.issuer,
            oidc_client_id=provider.client_id,
            oidc_client_secret=provider.client_secret,
            oidc_employee_claim=CLAIM,
            **overrides,
        )
        app = create_app(settings)
        if clock is not None:  # the session's idle clock, moved by the test
            app.state.session_clock = lambda: clock[0]
        async with serve_tls(app, port, tmp_path):
            yield base


async def _submit(http: httpx.AsyncClient, page: httpx.Response, **fields: str) -> httpx.Response:
    """Post the provider page's form (its hidden fields plus ``fields``)."""
    action, body = FORM.findall(page.text)[0]
    data = {name: html.unescape(value) for name, value in HIDDEN.findall(body)} | fields
    return await http.post(urljoin(str(page.url), html.unescape(action)), data=data)


async def _follow(http: httpx.AsyncClient, response: httpx.Response, stop: str) -> httpx.Response:
    """Follow redirects until one points at a URL starting with ``stop`` (not followed)."""
    while response.is_redirect:
        target = urljoin(str(response.url), response.headers["location"])
        if target.startswith(stop):
            return response
        response = await http.get(target)
    return response


async def _sign_in(
    http: httpx.AsyncClient, base: str, login: str, next_path: str
) -> tuple[httpx.Response, str]:
    """Start at the service, log in and consent at the provider; the callback's answer."""
    start = await http.get(f"{base}/app/sign-in/oidc", params={"next": next_path})
    assert start.status_code == 302, start.text
    auth = parse_qs(urlsplit(start.headers["location"]).query)
    assert auth["code_challenge_method"] == ["S256"] and len(auth["code_challenge"][0]) >= 43
    assert auth["state"][0] and auth["nonce"][0] and auth["response_type"] == ["code"]
    login_page = await _follow(http, start, base)
    assert 'name="login"' in login_page.text  # the provider's own login form
    consent = await _follow(http, await _submit(http, login_page, login=login, password="x"), base)
    if consent.status_code == 200:  # the consent prompt (first sign-in of this account)
        consent = await _follow(http, await _submit(http, consent), base)
    callback = urljoin(str(consent.url), consent.headers["location"])
    assert callback.startswith(f"{base}/app/sign-in/oidc/callback?code=")
    return await http.get(callback), callback


async def test_current_staff_sign_in_and_land_on_the_page_asked_for(
    sqlite_url: str, sessions_for: Any, tmp_path: Path
) -> None:
    async with (
        _stack(sqlite_url, sessions_for(sqlite_url), tmp_path) as base,
        httpx.AsyncClient(verify=False, timeout=20) as http,
    ):
        answer, callback = await _sign_in(http, base, "ana.lyst", "/app/reviews?x=1")
        assert answer.status_code == 303 and answer.headers["location"] == "/app/reviews?x=1"
        cookie = answer.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        home = await http.get(f"{base}/app")
        assert home.status_code == 200 and "E-ANALYST" in home.text
        replayed = await http.get(callback)  # the state was used up: a replay signs nobody in
        assert replayed.status_code == 400 and "did not complete" in replayed.text


async def test_unknown_inactive_and_claimless_people_are_refused_with_a_page(
    sqlite_url: str, sessions_for: Any, tmp_path: Path
) -> None:
    async with _stack(sqlite_url, sessions_for(sqlite_url), tmp_path) as base:
        for login, words in (
            ("gone", "no longer active in the staff directory"),
            ("stranger", "E-NOBODY is not in the staff directory"),
            ("no-claim", f"carries no employee ID (claim '{CLAIM}')"),
        ):
            async with httpx.AsyncClient(verify=False, timeout=20) as http:
                answer, _ = await _sign_in(http, base, login, "/app")
                assert answer.status_code == 403, login
                text = html.unescape(answer.text)
                assert "You cannot sign in" in text and words in text, login
                assert (await http.get(f"{base}/app")).status_code == 303  # not signed in


async def test_forged_state_and_open_redirects_are_refused(
    sqlite_url: str, sessions_for: Any, tmp_path: Path
) -> None:
    async with (
        _stack(sqlite_url, sessions_for(sqlite_url), tmp_path) as base,
        httpx.AsyncClient(verify=False, timeout=20) as http,
    ):
        _answer, callback = await _sign_in(http, base, "ana.lyst", "//evil.example/x")
        assert _answer.headers["location"] == "/app"  # not the other origin
        start = await http.get(f"{base}/app/sign-in/oidc")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        forged = callback.replace("state=", "state=forged", 1)
        refused = await http.get(forged)
        assert refused.status_code == 400 and "did not complete" in refused.text
        assert state not in forged


CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


async def test_sign_out_ends_the_provider_session_unless_configured_not_to(
    sqlite_url: str, sessions_for: Any, tmp_path: Path
) -> None:
    for provider_sign_out in (True, False):
        async with (
            _stack(
                sqlite_url,
                sessions_for(sqlite_url),
                tmp_path,
                oidc_provider_sign_out=provider_sign_out,
            ) as base,
            httpx.AsyncClient(verify=False, timeout=20) as http,
        ):
            await _sign_in(http, base, "ana.lyst", "/app")
            home = await http.get(f"{base}/app")
            token = CSRF.findall(home.text)[0]
            out = await http.post(f"{base}/app/sign-out", data={"csrf_token": token})
            assert out.status_code == 303
            assert (await http.get(f"{base}/app")).status_code == 303  # signed out here
            target = urlsplit(out.headers["location"])
            if not provider_sign_out:
                assert out.headers["location"] == "/app/sign-in?reason=signed+out"
                continue
            # RP-initiated logout at the provider's end_session_endpoint (from discovery).
            assert target.path == "/session/end" and target.netloc.startswith("127.0.0.1:")
            query = parse_qs(target.query)
            assert query["post_logout_redirect_uri"] == [f"{base}/app/signed-out"]
            assert query["id_token_hint"][0].count(".") == 2  # the ID token (a JWS)
            assert query["client_id"] == ["nearmiss-test"]


async def test_after_an_idle_timeout_the_provider_asks_for_the_login_again(
    sqlite_url: str, sessions_for: Any, tmp_path: Path
) -> None:
    clock = [1_000_000.0]
    async with (
        _stack(sqlite_url, sessions_for(sqlite_url), tmp_path, clock) as base,
        httpx.AsyncClient(verify=False, timeout=20) as http,
    ):
        await _sign_in(http, base, "ana.lyst", "/app")
        assert (await http.get(f"{base}/app")).status_code == 200
        clock[0] += 31 * 60  # past the 30-minute idle timeout: a shared laptop left alone
        idle = await http.get(f"{base}/app")
        assert idle.status_code == 303 and "idle" in idle.headers["location"]
        start = await http.get(f"{base}/app/sign-in/oidc")
        assert parse_qs(urlsplit(start.headers["location"]).query)["prompt"] == ["login"]
        page = await _follow(http, start, base)  # not silently back as the last person
        assert page.status_code == 200 and 'name="login"' in page.text
        again = await http.get(f"{base}/app/sign-in/oidc")  # asked once, not on every sign-in
        assert "prompt" not in parse_qs(urlsplit(again.headers["location"]).query)
