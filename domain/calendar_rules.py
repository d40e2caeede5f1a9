"""Parsing of deadline rule strings (PRODUCT.md "Time") into a small structured form.

Pure and dependency-free so the parser can also validate step specifications at import time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum


class RuleKind(StrEnum):
    """The deadline rule families of the product's table (plus "at HH:MM")."""

    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CLOSE_OF_BUSINESS = "close_of_business"
    CALENDAR_DAYS = "calendar_days"
    NTH_WORKING_DAY_OF_MONTH = "nth_working_day_of_month"
    AT_LOCAL_TIME = "at_local_time"


@dataclass(frozen=True, slots=True)
class ParsedRule:
    """A parsed rule: its kind, the count N where the kind has one, and the time for "at HH:MM"."""

    kind: RuleKind
    amount: float = 0
    at: time | None = None


RULE_FORMS = (
    '"N working hours", "N working days", "close of business" (or "same day"), '
    '"N calendar days", "Nth working day of month", "at HH:MM"'
)

_NUMBER = r"(?P<n>\d+(?:\.\d+)?)"
_WHOLE = r"(?P<n>\d+)"
# A leading "within"/"after"/"by" is how the spec phrases rules in prose; it carries no meaning.
_PREFIX = re.compile(r"^(?:within|after|by)\s+")
_PATTERNS: tuple[tuple[RuleKind, re.Pattern[str]], ...] = (
    (RuleKind.WORKING_HOURS, re.compile(rf"^{_NUMBER} working hours?$")),
    (RuleKind.WORKING_DAYS, re.compile(rf"^{_WHOLE} working days?$")),
    (RuleKind.CLOSE_OF_BUSINESS, re.compile(r"^(?:close of business|same[ -]day)$")),
    (RuleKind.CALENDAR_DAYS, re.compile(rf"^{_WHOLE} calendar days?$")),
    (
        RuleKind.NTH_WORKING_DAY_OF_MONTH,
        re.compile(rf"^(?:the )?{_WHOLE}(?:st|nd|rd|th) working day of (?:the )?month$"),
    ),
    (RuleKind.AT_LOCAL_TIME, re.compile(r"^at (?P<hh>\d{1,2}):(?P<mm>\d{2})$")),
)


def parse_rule(rule: str) -> ParsedRule:
    """Parse a rule string, case-insensitively; raises ValueError naming the accepted forms."""
    text = _PREFIX.sub("", " ".join(rule.lower().split()))
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        if kind is RuleKind.AT_LOCAL_TIME:
            return ParsedRule(kind, at=_clock(rule, int(match["hh"]), int(match["mm"])))
        if kind is RuleKind.CLOSE_OF_BUSINESS:
            return ParsedRule(kind)
        amount = float(match["n"])
        if kind is RuleKind.NTH_WORKING_DAY_OF_MONTH and amount < 1:
            raise ValueError(f"deadline rule {rule!r}: the working day of the month starts at 1")
        return ParsedRule(kind, amount=amount)
    raise ValueError(f"unknown deadline rule {rule!r}; expected one of {RULE_FORMS}")


def _clock(rule: str, hours: int, minutes: int) -> time:
    if hours > 23 or minutes > 59:
        raise ValueError(f"deadline rule {rule!r}: {hours:02d}:{minutes:02d} is not a clock time")
    return time(hours, minutes)
