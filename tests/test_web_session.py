"""The web application's sign-in: "sign in as" (development only), sessions, CSRF, sign-out."""

from __future__ import annotations

import re

import pytest

from tests.factories import load, staff_rows
from tests.fixtures.api import ApiFactory

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


async def _sign_in(api, employee_id: str, next_path: str = "/app"):  # type: ignore[no-untyped-def]
    page = await api.http.get("/app/sign-in", params={"next": next_path})
    assert page.status_code == 200
    return await api.http.post(
        "/app/sign-in/as",
        data={"csrf_token": _csrf(page.text), "employee_id": employee_id, "next": next_path},
    )


@pytest.fixture
async def dev_api(sqlite_url: str, sessions_for, api_for: ApiFactory):  # type: ignore[no-untyped-def]
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    return await api_for(sqlite_url, env="development", api_host="127.0.0.1")


async def test_sign_in_as_lists_staff_and_returns_to_the_page_asked_for(dev_api) -> None:  # type: ignore[no-untyped-def]
    page = await dev_api.http.get("/app/sign-in")
    assert "Sign in as E-Analyst" in page.text
    assert "Near-Miss Governance Supervisor" in page.text  # as every other page says it
    answer = await _sign_in(dev_api, "E-ANALYST", "/app?x=1")
    assert answer.status_code == 303 and answer.headers["location"] == "/app?x=1"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    home = await dev_api.http.get("/app")
    assert home.status_code == 200 and "E-ANALYST" in home.text


async def test_a_person_without_a_governance_role_is_a_staff_member(dev_api) -> None:  # type: ignore[no-untyped-def]
    """A team lead (a named pathway owner) holds only the worker role: "staff member", never
    "worker", on the sign-in page and in "Signed in as …"."""
    page = await dev_api.http.get("/app/sign-in")
    assert "E-OWNER · staff member" in page.text and "· worker" not in page.text
    await _sign_in(dev_api, "E-OWNER")
    home = await dev_api.http.get("/app")
    assert "Signed in as E-Owner (E-OWNER), staff member." in home.text, home.text


async def test_pages_redirect_to_sign_in_and_refuse_open_redirects(dev_api) -> None:  # type: ignore[no-untyped-def]
    answer = await dev_api.http.get("/app")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/sign-in?next=%2Fapp"
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        signed = await _sign_in(dev_api, "E-ANALYST", target)
        assert signed.headers["location"] == "/app", target


async def test_forms_without_the_session_csrf_token_change_nothing(dev_api) -> None:  # type: ignore[no-untyped-def]
    await dev_api.http.get("/app/sign-in")
    forged = await dev_api.http.post(
        "/app/sign-in/as", data={"csrf_token": "forged", "employee_id": "E-ADMIN"}
    )
    assert forged.status_code == 403 and "<h1>Not allowed</h1>" in forged.text
    assert (await dev_api.http.get("/app")).status_code == 303


async def test_sign_out_and_idle_timeout_end_the_session(dev_api) -> None:  # type: ignore[no-untyped-def]
    await _sign_in(dev_api, "E-SUPERVISOR")
    home = await dev_api.http.get("/app")
    out = await dev_api.http.post("/app/sign-out", data={"csrf_token": _csrf(home.text)})
    assert out.status_code == 303
    assert (await dev_api.http.get("/app")).status_code == 303

    clock = [1_000_000.0]
    dev_api.app.state.session_clock = lambda: clock[0]
    await _sign_in(dev_api, "E-SUPERVISOR")
    clock[0] += 29 * 60
    assert (await dev_api.http.get("/app")).status_code == 200  # activity resets the idle time
    clock[0] += 31 * 60
    idle = await dev_api.http.get("/app")
    assert idle.status_code == 303 and "idle" in idle.headers["location"]


async def test_unknown_staff_cannot_sign_in(dev_api) -> None:  # type: ignore[no-untyped-def]
    answer = await _sign_in(dev_api, "E-NOBODY")
    assert answer.status_code == 403 and "not in the staff directory" in answer.text


@pytest.mark.parametrize(
    ("env", "host"),
    [("production", "127.0.0.1"), ("test", "127.0.0.1"), ("development", "0.0.0.0")],
)
async def test_sign_in_as_never_opens_outside_development_on_loopback(
    sqlite_url: str, sessions_for, api_for: ApiFactory, env: str, host: str
) -> None:  # type: ignore[no-untyped-def]
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    api = await api_for(sqlite_url, env=env, api_host=host)
    api.http.base_url = "https://test"  # the cookie is Secure outside development
    page = await api.http.get("/app/sign-in")
    assert "Sign in as" not in page.text
    answer = await _sign_in(api, "E-ADMIN")
    assert answer.status_code == 403
