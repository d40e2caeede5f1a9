"""What a mail is about, in the words people use: "near miss NM-10009", "daily acknowledgment
review of Fri 4 Dec 2026" (never a workflow ID such as ``ack-case-NM-10009``)."""

from __future__ import annotations

from domain.pack_periods import MONTHS
from domain.report import day_words

_CASES = (("ack-case-", "near miss "), ("learning-case-", "near miss "),
          ("closure-case-", "closed case "))  # fmt: skip
_REVIEWS = (
    ("ack-review-", "daily acknowledgment review of "),
    ("learning-audit-", "fortnightly learning-visibility audit of the cycle from "),
    ("closure-review-", "monthly closure-credibility review of "),
)


def period_words(period: str) -> str:
    """ "2026-12-04" → "Fri 4 Dec 2026"; "2026-11" → "November 2026"; else as it is."""
    try:
        return day_words(period)
    except ValueError:
        pass
    try:
        year, month = (int(part) for part in period.split("-"))
        return f"{MONTHS[month - 1]} {year}" if 1 <= month <= 12 else period
    except (ValueError, IndexError):
        return period


def about(subject: str) -> str:
    """A case's or review's ID as people know it: ``ack-case-NM-1`` → "near miss NM-1",
    ``closure-review-2026-11`` → "monthly closure-credibility review of November 2026"."""
    for prefix, words in _CASES:
        if subject.startswith(prefix):
            return words + subject.removeprefix(prefix)
    for prefix, words in _REVIEWS:
        if subject.startswith(prefix):
            return words + period_words(subject.removeprefix(prefix))
    return subject
