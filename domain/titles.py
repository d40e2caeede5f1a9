"""Codes in the words the pages use, for every layer (the pages, the packs, the evidence pack):
a slug as a title ("near-miss-reliability-case-register" → "Near-miss reliability case
register", "report-chronology" → "Report chronology") and a pack named with its period ("…,
week of Mon 7 Dec 2026", "… for December 2026", "… for the cycle 23 Nov – 6 Dec 2026"; never
"2026-W50", "2026-12" or "2026-11-23": the codes stay in links and the API)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain import names
from domain.pack_periods import CYCLE_DAYS, MONTHS

# Each example's review by its title, the one name pages, mails and packs give it.
REVIEW_TITLES = {
    names.EXAMPLE_ACKNOWLEDGMENT: "Daily acknowledgment review",
    names.EXAMPLE_LEARNING: "Fortnightly learning-visibility audit",
    names.EXAMPLE_CREDIBILITY: "Monthly closure-credibility review",
}

# the codes' abbreviations, as on pages
SHORT_WORDS = {"ack": "acknowledgment", "id": "ID", "ref": "reference"}
# Compound words the codes split ("near_miss", "risk_specific"), hyphenated as the seed writes them.
HYPHENATED = re.compile(r"\b(near|risk|non|under) (miss|specific|review|triaged)\b", re.IGNORECASE)
_COMPOUNDS = {("near", "miss"), ("risk", "specific"), ("non", "review"), ("under", "triaged")}
# The codes' day spans: "prior_90d_retention_risk" → "Prior 90-day retention risk",
# "prior_reports_180d" → "Prior reports (180 days)".
DAYS_BEFORE = re.compile(r"\b(\d+)d\b(?= \w)")
DAYS_AT_END = re.compile(r"\b(\d+)d$")


# Codes whose words alone would mislead: "final action evidence none" read as if there were no
# evidence record at all ("no final action evidence"); the record exists and says "none".
WHOLE = {"final_action_evidence_none": "final action evidence recorded as none"}


def capital(words: str) -> str:
    """ "report NM-1" → "Report NM-1" (the first letter only; references keep their case)."""
    return words[:1].upper() + words[1:]


def lower_first(text: str) -> str:
    """The first letter small (a label inside a sentence), abbreviations such as "ID" kept."""
    return text[:1].lower() + text[1:]


def day_words(day: date | str) -> str:
    """A calendar day as the pages write it: ``2026-12-04`` → ``Fri 4 Dec 2026``."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{d:%a} {d.day} {d:%b %Y}"


def _hyphenated(match: re.Match[str]) -> str:
    first, second = match[1], match[2]
    return f"{first}-{second}" if (first.lower(), second.lower()) in _COMPOUNDS else match[0]


def humanize(slug: str | None) -> str:
    """``absent_named_triage_ownership`` or ``absent-named-…`` → "Absent named triage ownership";
    abbreviations spelt out (``ack_over_threshold`` → "Acknowledgment over threshold")."""
    if not slug:
        return ""
    return capital(WHOLE.get(slug) or _spelt(slug))


def _spelt(slug: str) -> str:
    spaced = slug.replace("_", " ").replace("-", " ").strip()
    words = " ".join(SHORT_WORDS.get(word, word) for word in spaced.split(" "))
    words = HYPHENATED.sub(_hyphenated, words)
    return DAYS_AT_END.sub(r"(\1 days)", DAYS_BEFORE.sub(r"\1-day", words))


_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _day_month(day: date) -> str:
    return f"{day.day} {day:%b}"


def cycle_words(start: str) -> str:
    """A 14-day cycle by its dates, the one name the audit, its mails, My work and the
    fortnightly summary give it: "2026-11-23" → "the cycle 23 Nov – 6 Dec 2026" (ValueError
    for a start that is not a date)."""
    first = date.fromisoformat(start)
    last = first + timedelta(days=CYCLE_DAYS - 1)
    begins = _day_month(first) + ("" if first.year == last.year else f" {first.year}")
    return f"the cycle {begins} – {_day_month(last)} {last.year}"


def period_phrase(kind: str, period: str) -> str:
    """The words after a pack's title: ", week of Mon 7 Dec 2026", " for December 2026",
    " for the cycle 23 Nov – 6 Dec 2026"; " 2026-XX" for a period that names nothing."""
    try:
        if kind == names.PACK_WEEKLY and (week := _WEEK.fullmatch(period)):
            return f", week of {day_words(date.fromisocalendar(int(week[1]), int(week[2]), 1))}"
        if kind == names.PACK_MONTHLY and (month := _MONTH.fullmatch(period)):
            return f" for {MONTHS[int(month[2]) - 1]} {month[1]}"
        if kind == names.PACK_FORTNIGHTLY:
            return f" for {cycle_words(period)}"
    except (ValueError, IndexError):
        pass
    return f" {period}"


def pack_name(title: str, kind: str, period: str) -> str:
    """A pack's title and its period in words."""
    return f"{title}{period_phrase(kind, period)}"


def kind_of(period: str) -> str:
    """The pack kind a period code names ("2026-W50" weekly, "2026-12" monthly, a date the
    fortnightly summary's cycle), for a record that keeps only the period."""
    if _WEEK.fullmatch(period):
        return names.PACK_WEEKLY
    return names.PACK_MONTHLY if _MONTH.fullmatch(period) else names.PACK_FORTNIGHTLY
