"""HEAD answers wherever GET does: a page, a page that sends the signed-out to sign in, the API
and a static file each answer HEAD with GET's status and headers and no body (FastAPI alone
answers a GET route's HEAD with 405; the walk of 7 December saw it on /app)."""

from __future__ import annotations

from typing import Any

from tests.factories import load, staff_rows
from tests.fixtures.api import ApiFactory
from tests.web_support import sign_in


async def test_head_answers_as_get_without_a_body(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")
    for path in ("/app/sign-in", "/app", "/app/static/app.css", "/cases"):
        got = await api.http.get(path)
        head = await api.http.head(path)
        assert head.status_code == got.status_code != 405, path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        assert head.headers.get("location") == got.headers.get("location"), path
        assert head.content == b"", path
    await sign_in(api, "E-SUPERVISOR")
    got = await api.http.get("/app")
    head = await api.http.head("/app")
    assert (head.status_code, got.status_code) == (200, 200)
    assert head.headers["content-length"] == str(len(got.content)) and head.content == b""
    assert (await api.http.post("/app/sign-in/as")).status_code != 405  # other methods as before
    assert (await api.http.request("PUT", "/app")).status_code == 405
