"""The provider's business calendar: working days, working hours and deadline rules.

Implements the deadline-rule table of PRODUCT.md "Time". Runs inside activities only (``holidays``
and ``ZoneInfo`` misbehave in the workflow sandbox). Instants are compared and added in UTC,
because arithmetic on aware datetimes sharing one ``ZoneInfo`` is wall-clock arithmetic; local
wall times are built per date and normalised, so nonexistent times move forward by the gap and
ambiguous ones take their first occurrence.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib.metadata import version as package_version
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from domain.calendar_rules import RuleKind, parse_rule
from domain.working_clock import clock_for

Region = Literal["england-wales", "scotland", "northern-ireland"]


RULES_VERSION = "1"
# Holiday data changes between releases of the package, so its version is part of ours.
HOLIDAYS_VERSION = package_version("holidays")

_SUBDIVISIONS: dict[str, str] = {
    "england-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


class CalendarConfig(BaseModel):
    """A provider's calendar settings; passed to activities, so it must stay JSON-serialisable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Europe/London"
    region: Region = "england-wales"
    working_day_start: time = time(9, 0)
    working_day_end: time = time(17, 0)
    closure_days: tuple[date, ...] = ()
    # A provider that works every day (a 24-hour service) sets all seven ISO weekdays (1 = Monday)
    # and may ignore public holidays; the defaults are the spec's Monday-to-Friday week.
    working_weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    public_holidays: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("closure_days")
    @classmethod
    def _canonical_closures(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        # Sorted and de-duplicated so equal calendars always have equal versions.
        return tuple(sorted(set(value)))

    @field_validator("working_weekdays")
    @classmethod
    def _iso_weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not 1 <= d <= 7 for d in value):
            raise ValueError("working weekdays are ISO numbers 1 (Monday) to 7 (Sunday)")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _ordered_hours(self) -> CalendarConfig:
        if self.working_day_start.tzinfo is not None or self.working_day_end.tzinfo is not None:
            raise ValueError("working-day times are local wall times and take no offset")
        if self.working_day_start >= self.working_day_end:
            raise ValueError("working_day_start must be before working_day_end")
        return self

    @property
    def version(self) -> str:
        """A short hash of this configuration, the rules and the ``holidays`` data version."""
        # The working-week fields join the material only when they differ from the spec's week,
        # so every calendar made before they existed keeps its version.
        week = {"working_weekdays", "public_holidays"}
        material = self.model_dump_json(exclude=week)
        if (self.working_weekdays, self.public_holidays) != ((1, 2, 3, 4, 5), True):
            material += f"|week={self.working_weekdays}|public_holidays={self.public_holidays}"
        material = f"{material}|rules={RULES_VERSION}|holidays={HOLIDAYS_VERSION}"
        return hashlib.sha256(material.encode()).hexdigest()[:12]

    @classmethod
    def from_settings_values(
        cls,
        timezone: str,
        region: str,
        working_day_start: str,
        working_day_end: str,
        closure_days: list[str] | tuple[str, ...],
    ) -> CalendarConfig:
        """Build from plain setting values ("HH:MM" times, ISO dates); raises ValidationError."""
        return cls.model_validate(
            {
                "timezone": timezone,
                "region": region,
                "working_day_start": working_day_start,
                "working_day_end": working_day_end,
                "closure_days": tuple(closure_days),
            }
        )


@lru_cache(maxsize=256)
def _public_holidays(subdivision: str, year: int) -> frozenset[date]:
    """Public holidays (substitute days included) of one GB subdivision and year; cached."""
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year).keys())


class BusinessCalendar:
    """Working days, working time and the deadline rules for one :class:`CalendarConfig`."""

    def __init__(self, config: CalendarConfig) -> None:
        self.config = config
        self.zone = ZoneInfo(config.timezone)
        self._subdivision = _SUBDIVISIONS[config.region]
        self._closures = frozenset(config.closure_days)

    # -- days -----------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """A working weekday (Monday to Friday unless configured), not a regional public holiday
        (where the provider observes them), not a provider closure day."""
        if d.isoweekday() not in self.config.working_weekdays or d in self._closures:
            return False
        if not self.config.public_holidays:
            return True
        return d not in _public_holidays(self._subdivision, d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    # -- instants -------------------------------------------------------------------------

    def local(self, t: datetime) -> datetime:
        """``t`` in the provider's zone; raises ValueError for a naive datetime."""
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError(f"{t.isoformat()} has no UTC offset; deadlines need an aware instant")
        return t.astimezone(self.zone)

    def wall(self, d: date, at: time) -> datetime:
        """The local instant of wall time ``at`` on ``d`` (gap: moved forward; overlap: first)."""
        return wall_time(d, at, self.zone)

    def _close(self, d: date) -> datetime:
        return self.wall(d, self.config.working_day_end)

    def _window_utc(self, d: date) -> tuple[datetime, datetime]:
        start = self.wall(d, self.config.working_day_start).astimezone(UTC)
        return start, self._close(d).astimezone(UTC)

    # -- rules ----------------------------------------------------------------------------

    def close_of_business(self, t: datetime) -> datetime:
        """Close of business of ``t``'s day if working and not yet closed, else of the next one."""
        d = self.local(t).date()
        if self.is_working_day(d) and t.astimezone(UTC) < self._window_utc(d)[1]:
            return self._close(d)
        return self._close(self.next_working_day(d))

    def add_working_hours(self, t: datetime, n: float) -> datetime:
        """``t`` plus N hours of working time; a result at close of business is kept (not 09:00)."""
        if not math.isfinite(n) or n < 0:
            raise ValueError(f"working hours must be a finite number >= 0, not {n!r}")
        remaining = timedelta(hours=n)
        cursor = self.local(t).astimezone(UTC)
        d = self.local(t).date()
        if not self.is_working_day(d):
            d = self.next_working_day(d)
        while True:
            opens, closes = self._window_utc(d)
            begin = max(cursor, opens)
            # Ending exactly at close of business is allowed and beats the next day's opening.
            if begin <= closes and remaining <= closes - begin:
                return (begin + remaining).astimezone(self.zone)
            remaining -= max(closes - begin, timedelta(0))
            d = self.next_working_day(d)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Hours of working time in [start, end) (0 when end is not after start); aware instants.
        One rule: the calendar's shared ``WorkingClock`` (its windows built once, then bisected)."""
        return clock_for(self).hours(self.local(start), self.local(end))

    def add_working_days(self, t: datetime, n: int) -> datetime:
        """Close of business on the Nth working day after ``t``'s local day (N >= 1)."""
        if n < 1:
            raise ValueError(f"working days must be at least 1, not {n!r}")
        d = self.local(t).date()
        for _ in range(n):
            d = self.next_working_day(d)
        return self._close(d)

    def add_calendar_days(self, t: datetime, n: int) -> datetime:
        """The same local wall-clock time N days later (elapsed hours differ across a change)."""
        if n < 0:
            raise ValueError(f"calendar days must be >= 0, not {n!r}")
        local = self.local(t)
        if n == 0:
            return local  # not re-resolved: t may be the second occurrence of an ambiguous time
        return self.wall(local.date() + timedelta(days=n), local.time())

    def nth_working_day_of_month(self, t: datetime, n: int) -> datetime:
        """Close of business on the Nth working day of the month containing ``t`` (may be past)."""
        if n < 1:
            raise ValueError(f"the working day of the month starts at 1, not {n!r}")
        first = self.local(t).date().replace(day=1)
        d = first if self.is_working_day(first) else self.next_working_day(first)
        for _ in range(n - 1):
            d = self.next_working_day(d)
        if d.month != first.month:
            raise ValueError(f"{first:%B %Y} has fewer than {n} working days")
        return self._close(d)

    def at_local_time(self, t: datetime, hh_mm: time) -> datetime:
        """Local wall time ``hh_mm`` on ``t``'s local date (may be before ``t``)."""
        return self.wall(self.local(t).date(), hh_mm)

    def deadline(self, rule: str, start: datetime) -> datetime:
        """The local deadline for a rule string counted from ``start``; ValueError if unknown."""
        parsed = parse_rule(rule)
        whole = int(parsed.amount)
        match parsed.kind:
            case RuleKind.WORKING_HOURS:
                return self.add_working_hours(start, parsed.amount)
            case RuleKind.WORKING_DAYS:
                return self.add_working_days(start, whole)
            case RuleKind.CLOSE_OF_BUSINESS:
                return self.close_of_business(start)
            case RuleKind.CALENDAR_DAYS:
                return self.add_calendar_days(start, whole)
            case RuleKind.NTH_WORKING_DAY_OF_MONTH:
                return self.nth_working_day_of_month(start, whole)
            case RuleKind.AT_LOCAL_TIME:
                assert parsed.at is not None
                return self.at_local_time(start, parsed.at)


class DeadlineResult(BaseModel):
    """A computed deadline as recorded with a step: the UTC instant and the calendar version."""

    model_config = ConfigDict(frozen=True)

    rule: str
    start: datetime
    due_at: datetime
    due_local: datetime
    calendar_version: str


@lru_cache(maxsize=32)
def calendar_for(config: CalendarConfig) -> BusinessCalendar:
    """The (shared, cached) calendar of a configuration."""
    return BusinessCalendar(config)


def compute_deadline(config: CalendarConfig, rule: str, start: datetime) -> DeadlineResult:
    """Deadline of ``rule`` from ``start`` with its calendar version; pure and retry-safe."""
    due_local = calendar_for(config).deadline(rule, start)
    return DeadlineResult(
        rule=rule,
        start=start,
        due_at=due_local.astimezone(UTC),
        due_local=due_local,
        calendar_version=config.version,
    )


def local_date(instant: datetime, timezone: str) -> date:
    """The date of INSTANT in TIMEZONE (workflows call this: their own zoneinfo is proxied)."""
    return instant.astimezone(ZoneInfo(timezone)).date()


def wall_time(d: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant of wall time ``at`` on ``d`` in ZONE (gap: moved forward; overlap: first)."""
    naive = datetime.combine(d, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    # The UTC round trip turns a nonexistent wall time into the real instant it denotes.
    return naive.astimezone(UTC).astimezone(zone)


def local_days_before(instant: datetime, days: int, timezone: str) -> datetime:
    """DAYS calendar days before INSTANT at the same local wall-clock time in TIMEZONE, in UTC
    (workflows call this): across a change of the clocks it keeps the local hour, where a plain
    UTC subtraction would move it by one."""
    zone = ZoneInfo(timezone)
    local = instant.astimezone(zone)
    return wall_time(local.date() - timedelta(days=days), local.time(), zone).astimezone(UTC)
