"""The business calendar against PRODUCT.md "Time": rule table, DST, regional holidays, the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from cli.main import app
from config.settings import Settings
from domain.calendar import BusinessCalendar, CalendarConfig, compute_deadline, local_days_before
from domain.calendar_rules import ParsedRule, RuleKind, parse_rule

ENG = BusinessCalendar(CalendarConfig())
SCT = BusinessCalendar(CalendarConfig(region="scotland"))
NIR = BusinessCalendar(CalendarConfig(region="northern-ireland"))
CALENDARS = {"eng": ENG, "sct": SCT, "nir": NIR}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# (region, rule, start, due) — due as ISO 8601 with the local offset, so offsets are checked too.
CASES = [
    # PRODUCT.md table, working hours: 2026-11-26 is a Thursday.
    ("eng", "4 working hours", "2026-11-26T13:00:00+00:00", "2026-11-26T17:00:00+00:00"),
    ("eng", "4 working hours", "2026-11-26T16:30:00+00:00", "2026-11-27T12:30:00+00:00"),
    ("eng", "4 working hours", "2026-11-26T17:00:00+00:00", "2026-11-27T13:00:00+00:00"),
    ("eng", "4 working hours", "2026-11-26T07:15:00+00:00", "2026-11-26T13:00:00+00:00"),
    ("eng", "4 working hours", "2026-11-27T15:00:00+00:00", "2026-11-30T11:00:00+00:00"),
    ("eng", "4 working hours", "2026-11-28T11:00:00+00:00", "2026-11-30T13:00:00+00:00"),
    ("eng", "1 working hour", "2026-11-26T16:45:00+00:00", "2026-11-27T09:45:00+00:00"),
    ("eng", "0.5 working hours", "2026-11-26T22:00:00+00:00", "2026-11-27T09:30:00+00:00"),
    ("eng", "8 working hours", "2026-11-26T09:00:00+00:00", "2026-11-26T17:00:00+00:00"),
    ("eng", "0 working hours", "2026-11-26T17:00:00+00:00", "2026-11-26T17:00:00+00:00"),
    ("eng", "0 working hours", "2026-11-26T18:00:00+00:00", "2026-11-27T09:00:00+00:00"),
    ("eng", "within 4 Working Hours", "2026-11-26T13:00:00Z", "2026-11-26T17:00:00+00:00"),
    # Working days: Monday 10:00 + 2 → Wednesday 17:00; Saturday + 2 → Tuesday 17:00.
    ("eng", "2 working days", "2026-11-23T10:00:00+00:00", "2026-11-25T17:00:00+00:00"),
    ("eng", "2 working days", "2026-11-28T10:00:00+00:00", "2026-12-01T17:00:00+00:00"),
    ("eng", "1 working day", "2026-11-26T23:30:00+00:00", "2026-11-27T17:00:00+00:00"),
    ("eng", "1 working day", "2026-11-27T08:00:00+00:00", "2026-11-30T17:00:00+00:00"),
    ("eng", "2 working days", "2026-06-01T10:00:00Z", "2026-06-03T17:00:00+01:00"),
    # Close of business (= same day): before, at and after 17:00; weekend; Friday evening.
    ("eng", "close of business", "2026-11-26T10:00:00+00:00", "2026-11-26T17:00:00+00:00"),
    ("eng", "close of business", "2026-11-26T16:59:00+00:00", "2026-11-26T17:00:00+00:00"),
    ("eng", "close of business", "2026-11-26T17:00:00+00:00", "2026-11-27T17:00:00+00:00"),
    ("eng", "same day", "2026-11-26T18:30:00+00:00", "2026-11-27T17:00:00+00:00"),
    ("eng", "Same-Day", "2026-11-27T17:30:00+00:00", "2026-11-30T17:00:00+00:00"),
    ("eng", "close of business", "2026-11-29T12:00:00+00:00", "2026-11-30T17:00:00+00:00"),
    ("eng", "close of business", "2026-11-26T06:00:00+00:00", "2026-11-26T17:00:00+00:00"),
    # Calendar days: plain days, same wall-clock time.
    ("eng", "14 calendar days", "2026-11-26T10:15:00+00:00", "2026-12-10T10:15:00+00:00"),
    ("eng", "21 calendar days", "2026-11-26T10:15:00+00:00", "2026-12-17T10:15:00+00:00"),
    ("eng", "1 calendar day", "2026-11-28T23:00:00+00:00", "2026-11-29T23:00:00+00:00"),
    # Nth working day of month: New Year, May Day, Easter 2026.
    ("eng", "5th working day of month", "2027-01-01T00:00:00Z", "2027-01-08T17:00:00+00:00"),
    ("sct", "5th working day of month", "2027-01-20T12:00:00Z", "2027-01-11T17:00:00+00:00"),
    ("eng", "5th working day of month", "2027-05-01T00:00:00Z", "2027-05-10T17:00:00+01:00"),
    ("eng", "5th working day of month", "2026-04-01T08:00:00Z", "2026-04-09T17:00:00+01:00"),
    ("eng", "1st working day of month", "2027-01-15T08:00:00Z", "2027-01-04T17:00:00+00:00"),
    ("eng", "2nd working day of month", "2026-11-15T08:00:00Z", "2026-11-03T17:00:00+00:00"),
    ("eng", "3rd working day of the month", "2026-11-15T08:00:00Z", "2026-11-04T17:00:00+00:00"),
    # "at HH:MM" on the start's local date (start converted to local first).
    ("eng", "at 09:30", "2026-11-26T07:30:00+00:00", "2026-11-26T09:30:00+00:00"),
    ("eng", "at 09:30", "2026-11-27T00:30:00+02:00", "2026-11-26T09:30:00+00:00"),
    ("eng", "AT 07:30", "2026-07-01T05:00:00Z", "2026-07-01T07:30:00+01:00"),
    # Christmas 2026: Boxing Day is a Saturday → substitute Monday 28 December.
    ("eng", "4 working hours", "2026-12-24T16:30:00+00:00", "2026-12-29T12:30:00+00:00"),
    ("eng", "same day", "2026-12-24T17:30:00+00:00", "2026-12-29T17:00:00+00:00"),
    # Christmas 2027: the 25th is a Saturday → substitutes Monday 27 and Tuesday 28 December.
    ("eng", "1 working day", "2027-12-24T10:00:00+00:00", "2027-12-29T17:00:00+00:00"),
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March (not a holiday in Scotland).
    ("eng", "1 working day", "2027-03-25T10:00:00+00:00", "2027-03-30T17:00:00+01:00"),
    ("sct", "1 working day", "2027-03-25T10:00:00+00:00", "2027-03-29T17:00:00+01:00"),
    ("nir", "1 working day", "2027-03-25T10:00:00+00:00", "2027-03-30T17:00:00+01:00"),
    # Scotland: 2 January; St Andrew's Day 2025 (Sunday) → substitute Monday 1 December.
    ("eng", "1 working day", "2025-12-31T10:00:00+00:00", "2026-01-02T17:00:00+00:00"),
    ("sct", "1 working day", "2025-12-31T10:00:00+00:00", "2026-01-05T17:00:00+00:00"),
    ("sct", "4 working hours", "2025-11-28T16:30:00+00:00", "2025-12-02T12:30:00+00:00"),
    ("eng", "4 working hours", "2025-11-28T16:30:00+00:00", "2025-12-01T12:30:00+00:00"),
    ("sct", "2 working days", "2026-11-28T10:00:00+00:00", "2026-12-02T17:00:00+00:00"),
    # Northern Ireland: St Patrick's Day, Tuesday 17 March 2026.
    ("nir", "4 working hours", "2026-03-16T16:30:00+00:00", "2026-03-18T12:30:00+00:00"),
    ("eng", "4 working hours", "2026-03-16T16:30:00+00:00", "2026-03-17T12:30:00+00:00"),
]


@pytest.mark.parametrize(("region", "rule", "start", "due"), CASES)
def test_deadline_rules(region: str, rule: str, start: str, due: str) -> None:
    assert CALENDARS[region].deadline(rule, at(start)).isoformat() == due


# Clocks change on the last Sunday of March (29 March 2026) and October (25 October 2026).
DST_CASES = [
    # Working hours straddling the change count working time, not elapsed time.
    ("4 working hours", "2026-03-27T16:00:00+00:00", "2026-03-30T12:00:00+01:00"),
    ("4 working hours", "2026-10-23T15:00:00+01:00", "2026-10-26T11:00:00+00:00"),
    ("same day", "2026-03-29T12:00:00+01:00", "2026-03-30T17:00:00+01:00"),
    # Calendar days keep the wall time: 23 or 25 elapsed hours.
    ("1 calendar day", "2026-03-28T12:00:00+00:00", "2026-03-29T12:00:00+01:00"),
    ("1 calendar day", "2026-10-24T12:00:00+01:00", "2026-10-25T12:00:00+00:00"),
    ("14 calendar days", "2026-03-20T09:00:00+00:00", "2026-04-03T09:00:00+01:00"),
    # 01:30 does not exist on 29 March → moved forward by the gap; on 25 October it occurs twice.
    ("1 calendar day", "2026-03-28T01:30:00+00:00", "2026-03-29T02:30:00+01:00"),
    ("1 calendar day", "2026-10-24T01:30:00+01:00", "2026-10-25T01:30:00+01:00"),
    ("7 calendar days", "2026-10-18T01:30:00+01:00", "2026-10-25T01:30:00+01:00"),
    ("7 calendar days", "2026-10-25T01:30:00+00:00", "2026-11-01T01:30:00+00:00"),
    ("0 calendar days", "2026-10-25T01:30:00+00:00", "2026-10-25T01:30:00+00:00"),
    ("at 01:30", "2026-03-29T12:00:00+01:00", "2026-03-29T02:30:00+01:00"),
    ("at 01:30", "2026-10-25T12:00:00+00:00", "2026-10-25T01:30:00+01:00"),
]


@pytest.mark.parametrize(("rule", "start", "due"), DST_CASES)
def test_clock_changes(rule: str, start: str, due: str) -> None:
    assert ENG.deadline(rule, at(start)).isoformat() == due


def test_calendar_days_elapsed_hours_differ_by_one_across_a_change() -> None:
    spring, autumn = at("2026-03-28T12:00:00+00:00"), at("2026-10-24T12:00:00+01:00")
    assert ENG.add_calendar_days(spring, 1) - spring == timedelta(hours=23)
    assert ENG.add_calendar_days(autumn, 1) - autumn == timedelta(hours=25)
    assert ENG.add_calendar_days(autumn, 0) == autumn


@pytest.mark.parametrize(
    ("instant", "days", "asked"),
    [
        # Example 3's reconfirmation: 7 days before the validation opens, at the same local hour.
        ("2027-11-03T10:00:00+00:00", 7, "2027-10-27T09:00:00+00:00"),  # 10:00 GMT → 10:00 BST
        ("2027-04-02T10:00:00+01:00", 7, "2027-03-26T10:00:00+00:00"),  # 10:00 BST → 10:00 GMT
        ("2027-06-10T16:30:00+01:00", 3, "2027-06-07T15:30:00+00:00"),
        ("2027-04-04T01:30:00+01:00", 7, "2027-03-28T01:30:00+00:00"),  # no 01:30: 02:30 BST
        ("2027-06-10T16:30:00+01:00", 0, "2027-06-10T15:30:00+00:00"),
    ],
)
def test_local_days_before_keeps_the_local_hour(instant: str, days: int, asked: str) -> None:
    got = local_days_before(at(instant), days, "Europe/London")
    assert got == at(asked)
    assert got.tzinfo == UTC


def test_working_days_and_holidays() -> None:
    assert not ENG.is_working_day(date(2026, 11, 28))
    assert not ENG.is_working_day(date(2026, 12, 28))
    assert [ENG.is_working_day(date(2027, 12, d)) for d in (24, 27, 28, 29)] == [
        True,
        False,
        False,
        True,
    ]
    assert not ENG.is_working_day(date(2027, 3, 26)) and not ENG.is_working_day(date(2027, 3, 29))
    assert not SCT.is_working_day(date(2026, 1, 2)) and ENG.is_working_day(date(2026, 1, 2))
    assert not SCT.is_working_day(date(2025, 12, 1)) and ENG.is_working_day(date(2025, 12, 1))
    assert not NIR.is_working_day(date(2026, 3, 17)) and SCT.is_working_day(date(2026, 3, 17))
    assert ENG.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert ENG.next_working_day(date(2026, 11, 25)) == date(2026, 11, 26)


def test_closure_days_are_not_working_days() -> None:
    closed = BusinessCalendar(CalendarConfig(closure_days=(date(2026, 11, 27),)))
    assert not closed.is_working_day(date(2026, 11, 27))
    start = at("2026-11-26T16:30:00+00:00")
    assert closed.deadline("4 working hours", start).isoformat() == "2026-11-30T12:30:00+00:00"
    assert closed.deadline("same day", start).isoformat() == "2026-11-26T17:00:00+00:00"


def test_custom_working_hours() -> None:
    late = BusinessCalendar(CalendarConfig(working_day_start=time(8, 30), working_day_end=time(18)))
    start = at("2026-11-26T16:30:00+00:00")
    assert late.deadline("4 working hours", start).isoformat() == "2026-11-27T11:00:00+00:00"
    assert late.deadline("close of business", start).isoformat() == "2026-11-26T18:00:00+00:00"


@pytest.mark.parametrize(
    ("rule", "parsed"),
    [
        ("4 working hours", ParsedRule(RuleKind.WORKING_HOURS, 4)),
        ("  1   WORKING hour ", ParsedRule(RuleKind.WORKING_HOURS, 1)),
        ("1 working day", ParsedRule(RuleKind.WORKING_DAYS, 1)),
        ("by close of business", ParsedRule(RuleKind.CLOSE_OF_BUSINESS)),
        ("after 21 calendar days", ParsedRule(RuleKind.CALENDAR_DAYS, 21)),
        ("5th working day of month", ParsedRule(RuleKind.NTH_WORKING_DAY_OF_MONTH, 5)),
        ("at 9:30", ParsedRule(RuleKind.AT_LOCAL_TIME, at=time(9, 30))),
    ],
)
def test_parse_rule(rule: str, parsed: ParsedRule) -> None:
    assert parse_rule(rule) == parsed


@pytest.mark.parametrize(
    "rule", ["4 fortnights", "working hours", "", "at 25:00", "0th working day of month"]
)
def test_bad_rules_raise_clear_errors(rule: str) -> None:
    with pytest.raises(ValueError, match=r"deadline rule"):
        ENG.deadline(rule, at("2026-11-26T10:00:00+00:00"))


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        ENG.deadline("same day", datetime(2026, 11, 26, 10))
    with pytest.raises(ValueError, match="fewer than 25 working days"):
        ENG.deadline("25th working day of month", at("2026-11-26T10:00:00Z"))
    with pytest.raises(ValueError, match="at least 1"):
        ENG.deadline("0 working days", at("2026-11-26T10:00:00Z"))
    with pytest.raises(ValueError, match="finite"):
        ENG.add_working_hours(at("2026-11-26T10:00:00Z"), float("nan"))


def test_config_validation_and_version() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        CalendarConfig(timezone="Europe/Atlantis")
    with pytest.raises(ValidationError, match="before working_day_end"):
        CalendarConfig(working_day_start=time(17), working_day_end=time(9))
    a = CalendarConfig(closure_days=(date(2026, 12, 31), date(2026, 12, 24)))
    b = CalendarConfig(closure_days=(date(2026, 12, 24), date(2026, 12, 31), date(2026, 12, 24)))
    assert a == b and a.version == b.version and len(a.version) == 12
    assert a.version != CalendarConfig().version != CalendarConfig(region="scotland").version
    assert CalendarConfig.model_validate_json(a.model_dump_json()) == a


def test_config_from_settings() -> None:
    settings = Settings(
        region="scotland",
        working_day_start="08:30",
        working_day_end="16:30",
        closure_days=["2026-12-24"],
    )
    config = settings.calendar_config()
    assert config == CalendarConfig(
        region="scotland",
        working_day_start=time(8, 30),
        working_day_end=time(16, 30),
        closure_days=(date(2026, 12, 24),),
    )


def test_compute_deadline_records_utc_instant_and_version() -> None:
    config = CalendarConfig()
    result = compute_deadline(config, "2 working days", at("2026-06-01T10:00:00+01:00"))
    assert result.due_at == datetime(2026, 6, 3, 16, tzinfo=UTC) and result.due_at.tzinfo is UTC
    assert result.due_local.isoformat() == "2026-06-03T17:00:00+01:00"
    assert result.calendar_version == config.version and result.rule == "2 working days"
    assert type(result).model_validate_json(result.model_dump_json()).due_at == result.due_at


RUNNER = CliRunner()


def test_cli_prints_one_local_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEARMISS_REGION", raising=False)
    args = ["deadline", "4 working hours", "2026-11-26T16:30:00+00:00"]
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-11-27T12:30:00+00:00\n"


def test_cli_reads_the_region_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEARMISS_REGION", "scotland")
    result = RUNNER.invoke(app, ["deadline", "1 working day", "2025-12-31T10:00:00Z"])
    assert result.stdout == "2026-01-05T17:00:00+00:00\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["same day", "2026-11-26T16:30:00"], "no UTC offset"),
        (["same day", "next tuesday"], "not an ISO 8601"),
        (["4 fortnights", "2026-11-26T16:30:00Z"], "unknown deadline rule"),
    ],
)
def test_cli_rejects_bad_input(args: list[str], message: str) -> None:
    result = RUNNER.invoke(app, ["deadline", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert message in result.output and result.stdout == ""
