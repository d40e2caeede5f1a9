"""The period analytics routes read one query (``api.analytics_range.PeriodAsk``): each route
keeps its own period default, and a bad query answers field-level 422s naming the parameters as
the caller sent them, only after the caller is authorized."""

from __future__ import annotations

from tests.factories import load, staff_rows

BOARD = "E-BOARD"
RANGE = "from=2026-11-02&to=2026-11-29"


def _fields(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    return {e["field"] for e in response.json()["errors"]}


async def test_each_route_keeps_its_period_and_answers_field_level(
    sqlite_url, sessions_for, api_for
) -> None:  # type: ignore[no-untyped-def]
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    api = await api_for(sqlite_url)
    workforce = await api.get(f"/analytics/workforce?{RANGE}", BOARD)
    series = await api.get(f"/analytics/series?{RANGE}", BOARD)
    assert workforce.status_code == series.status_code == 200, (workforce.text, series.text)
    assert (workforce.json()["period"], series.json()["period"]) == ("month", "week")
    assert workforce.json()["from"] == series.json()["from"] == "2026-11-02"
    for route in ("workforce", "series"):
        bad = await api.get(f"/analytics/{route}?to=2026-13-01&group=team&period=day", BOARD)
        assert _fields(bad) == {"from", "to", "group", "period"}
        backwards = await api.get(f"/analytics/{route}?from=2026-11-29&to=2026-11-02", BOARD)
        assert _fields(backwards) == {"to"}
        unsigned = await api.http.get(f"/analytics/{route}?to=2026-13-01")
        assert unsigned.status_code == 401, unsigned.text  # authorized before the query
    csv = await api.get(f"/analytics/series?{RANGE}&format=pdf", BOARD)
    assert _fields(csv) == {"format"}
