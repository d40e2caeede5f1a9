"""What a mail is about, in the words people use: "near miss NM-10009", "daily acknowledgment
review of Fri 4 Dec 2026" (never a workflow ID such as ``ack-case-NM-10009``)."""

from __future__ import annotations

import re

from domain import names
from domain.credibility import case_ref_of
from domain.pack_periods import MONTHS
from domain.titles import REVIEW_TITLES, cycle_words, day_words, humanize, lower_first
from domain.titles import capital as capital  # re-exported: pages word cases with it

_CASES = (("ack-case-", "near miss "), ("learning-case-", "near miss "),
          ("closure-case-", "closed case "))  # fmt: skip
_REVIEWS = (
    ("ack-review-", names.EXAMPLE_ACKNOWLEDGMENT),
    ("learning-audit-", names.EXAMPLE_LEARNING),
    ("closure-review-", names.EXAMPLE_CREDIBILITY),
)


def audit_period_words(period: str) -> str:
    """A fortnightly audit's period (its cycle's start) by the cycle's dates: "2026-11-23" →
    "the cycle 23 Nov – 6 Dec 2026", as My work, the audit's page and the packs name it."""
    try:
        return cycle_words(period)
    except ValueError:
        return period


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


def review_words(example: str, period: str) -> str:
    """A review by its title and period, mid-sentence: "daily acknowledgment review of Fri 4 Dec
    2026", "fortnightly learning-visibility audit of the cycle 23 Nov – 6 Dec 2026", "monthly
    closure-credibility review of November 2026" (its mails, pages and My work say the same)."""
    title = lower_first(REVIEW_TITLES.get(example) or humanize(example))
    audit = example == names.EXAMPLE_LEARNING
    return f"{title} of {audit_period_words(period) if audit else period_words(period)}"


def about(subject: str, reference: str | None = None) -> str:
    """A case's or review's ID as people know it: ``ack-case-NM-1`` → "near miss NM-1",
    ``closure-review-2026-11`` → "monthly closure-credibility review of November 2026"; an
    example-3 case with the ``reference`` of the report it closed names that report first:
    "near miss NM-10039, closed case CC-0002" (the mails' subjects say which report)."""
    closed = case_ref_of(subject) if subject.startswith("closure-case-") else ""
    if closed and reference and reference != closed:
        return f"near miss {reference}, closed case {closed}"
    for prefix, words in _CASES:
        if subject.startswith(prefix):
            return words + subject.removeprefix(prefix)
    for prefix, example in _REVIEWS:
        if subject.startswith(prefix):
            return review_words(example, subject.removeprefix(prefix))
    return subject


def case_words(case_id: str, reference: str) -> str:
    """A case as people know it, the same on every page, mail and pack: "report NM-10007";
    an example-3 case by its closed case and the report it closed: "closed case CC-0002
    (report NM-10039)" (never its workflow ID)."""
    closed = case_ref_of(case_id) if case_id.startswith("closure-case-") else ""
    if not closed:
        return f"report {reference}"
    return f"closed case {closed}" + (f" (report {reference})" if reference != closed else "")


_POLICIES = (
    ("ack-policy-v", "acknowledgment policy"),
    ("learning-policy-v", "learning-visibility policy"),
    ("closure-policy-v", "closure-credibility policy"),
)


def id_words(value: str) -> str:
    """Any case, review or rule-version ID in words ("ack-case-NM-1" → "report NM-1",
    "ack-review-2026-12-07" → "daily acknowledgment review of Mon 7 Dec 2026",
    "closure-policy-v1" → "closure-credibility policy, version 1"); other text as it is."""
    for prefix, words in _POLICIES:
        if value.startswith(prefix) and value.removeprefix(prefix).isdigit():
            return f"{words}, version {value.removeprefix(prefix)}"
    for prefix, _ in _CASES:
        if value.startswith(prefix):
            return case_words(value, value.removeprefix(prefix))
    return about(value)


_AN_ID = re.compile(  # with the noun before it, which its words say again ("case 'ack-case-…'")
    r"(?:\b(?:case|generated review|review) )?'?\b"
    r"(?:(?:ack|learning|closure)-case-[A-Z]+-\d+|(?:ack|closure)-review-[\d-]+"
    r"|learning-audit-[\d-]+|(?:ack|learning|closure)-policy-v\d+)\b'?"
)


def ids_in_words(text: str) -> str:
    """Every case, review or rule-version ID inside a message in words: "no case
    'ack-case-NM-99999'" → "no report NM-99999" (the API's JSON keeps the ID)."""
    return _AN_ID.sub(lambda m: id_words(m.group(0).rsplit(" ", 1)[-1].strip("'")), text)
