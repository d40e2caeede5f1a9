"""``domain.report.local_minute`` names days and months itself (a pack formats hundreds of
instants), and so does ``minute_words``, its per-zone form with each instant remembered: they
must write exactly what strftime's ``%a %-d %b %Y, %H:%M`` writes, across years,
both sides of every clock change and in zones east and west of UTC, for datetimes and ISO text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.report import local_minute, minute_words


def _strftime(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Australia/Sydney", "UTC"])
def test_local_minute_writes_what_strftime_writes(zone):
    start = datetime(2023, 1, 1, tzinfo=UTC)
    words = minute_words(zone)  # the packs' formatter: each instant once, then remembered
    # every 7 h 13 min for four years: every weekday, month and hour, and every clock change
    for n in range(0, 4 * 365 * 24 * 60, 433):
        moment = start + timedelta(minutes=n)
        want = _strftime(moment, zone)
        assert local_minute(moment, zone) == want
        assert local_minute(moment.isoformat(), zone) == want
        assert words(moment) == want
        assert words(moment.astimezone(ZoneInfo("Asia/Kolkata"))) == want  # the same instant
    assert local_minute(None, zone) == "—"
