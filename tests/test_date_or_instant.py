"""A pathway deadline is read back by type: an aware instant stays an instant (its offset kept),
a bare date stays a date, whatever the text's length."""

from datetime import UTC, date, datetime, timedelta, timezone

from domain.steps import date_or_instant


def test_a_bare_date_is_a_date() -> None:
    assert date_or_instant("2026-12-01") == date(2026, 12, 1)
    assert not isinstance(date_or_instant("2026-12-01"), datetime)


def test_an_instant_is_an_aware_datetime_with_its_offset() -> None:
    assert date_or_instant("2026-12-01T00:00:00Z") == datetime(2026, 12, 1, tzinfo=UTC)
    assert date_or_instant("2026-12-01T00:00:00Z").tzinfo is UTC
    plus_one = date_or_instant("2026-12-01T10:00:00+01:00")
    assert plus_one == datetime(2026, 12, 1, 10, tzinfo=timezone(timedelta(hours=1)))
