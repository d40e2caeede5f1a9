"""Inputs that answered 500 now answer a clear 4xx (issue 10, item 6)."""

from __future__ import annotations

from tests.factories import load, staff_rows

ADMIN = "E-ADMIN"


async def test_deep_json_big_offsets_and_far_dates_are_4xx(sqlite_url, sessions_for, api_for):
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    deep = ("[" * 5000 + "]" * 5000).encode()
    for url in ["/sources/workforce-reporting-log/records", "/forms/speaking-up-confidence"]:
        response = await api.post(
            url, ADMIN, content=deep, headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (url, response.status_code, response.text)
    for url in [
        "/reviews/ack-review-2026-12-04?offset=9223372036854775808",
        "/analytics/workforce?from=0001-01-01&to=2026-12-07",
        "/analytics/workforce?from=9999-12-01&to=9999-12-31&period=week",
        "/analytics/acknowledgment?from=0001-01-01&to=2026-12-07",
    ]:
        response = await api.get(url, "E-BOARD")
        assert response.status_code == 422, (url, response.status_code, response.text)
        assert response.json()["errors"], response.text
