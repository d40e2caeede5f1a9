"""A review's items and exceptions in words: the classified list, and for each exception its
reasons with the conflicting source values side by side."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.case_actions import OWNER_SUFFIX
from api.web.document_view import scalar_text
from api.web.words import (
    exposure_words,
    feed_words,
    gap_words,
    humanize,
    lower_first,
    with_feed_words,
)
from domain.credibility import LATE_DISPUTE
from domain.mail_words import case_words
from domain.titles import capital
from store.acknowledgment import ReviewItemView
from store.review_pages import source_record
from store.staff import staff_names

# The feed whose record each example's review item carries (the other feeds are compared to it).
BASE_FEEDS = {
    "acknowledgment": "incident-platform",
    "learning-visibility": "incident-platform",
    "closure-credibility": "closed-case-register",
}
DISAGREES = re.compile(r"^(?P<field>\w+) disagrees with (?P<feed>[\w-]+)")
BEFORE = re.compile(r"^(?P<field>\w+) in (?P<feed>[\w-]+) is before (?P<other>\w+)")
MISSING = re.compile(r"^missing in (?P<feed>[\w-]+)")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


@dataclass
class ItemRow:
    """One classified (or unreconciled) report of a review, display-ready."""

    reference: str
    classification: str
    service_line: str
    findings: str
    case_id: str | None
    case_name: str = ""  # the case as people know it ("report NM-10007"), before it is opened too
    case_open: bool = True  # its case has been opened (a link), not still opening
    closure: str = ""  # a register closure's own reference (CC-0002), beside its report's


@dataclass
class Conflict:
    """One reason an item does not reconcile, with both sources' values when it names them."""

    reason: str
    field: str = ""
    base_feed: str = ""
    base_value: str = ""
    other_feed: str = ""
    other_value: str = ""
    person: bool = False  # the values are employee IDs of owners: shown as "Name (ID)"


@dataclass
class ExceptionRow:
    reference: str
    service_line: str
    conflicts: list[Conflict] = field(default_factory=list)


def shown_reference(item: ReviewItemView) -> str:
    """The report a person knows: a closure this service made (example 3's "service" source)
    is keyed by its case ID ("ack-case-NM-10022"), a closed-case register's by its closure
    (CC-0002); each is shown as its near-miss report, "NM-10022" (workers know that one)."""
    report = item.fields.get("reference")
    closure = item.fields.get("source") == "service" or item.fields.get("case_ref")
    if closure and isinstance(report, str) and report:
        return report
    return item.reference


def closure_reference(item: ReviewItemView) -> str:
    """A closed-case register closure's own reference (CC-0002) when the row shows its report's
    instead; "" for anything else."""
    case_ref = item.fields.get("case_ref")
    shown = shown_reference(item)
    return str(case_ref) if case_ref and shown != case_ref else ""


def item_row(item: ReviewItemView, opened: Mapping[str, str] | None = None) -> ItemRow:
    """An item for the classified list: its indicators (or exception reasons) in words; its case
    the one it names, else the one this review opened for its key (``opened``: an example-3
    closure's case is named by no item, so its row linked none: the walk of 8 December)."""
    # what made the classification: example 1 and 2's indicators, example 3's credibility reasons
    indicators = item.fields.get("indicators") or item.fields.get("credibility_reasons")
    found = indicators if item.classification else item.reasons
    words = (
        (lower_first(humanize(str(f))) for f in found or [])
        if item.classification
        else (lower_first(_owner_words(_reason_words(str(r)))) for r in found or [])
    )
    findings = ", ".join(words) or "—"
    if item.fields.get(LATE_DISPUTE):  # example 3: answered "not resolved" after its review
        findings = f"late dispute (answered after it was last reviewed): {findings}"
    reference = shown_reference(item)
    case_id = item.case_id or (opened or {}).get(item.reference)
    return ItemRow(
        reference=reference,
        classification=exposure_words(item.classification) if item.classification else "exception",
        service_line=str(item.fields.get("service_line") or "—"),
        findings=findings,
        case_id=case_id,
        case_name=case_words(case_id, reference) if case_id else "",
        closure=closure_reference(item),
    )


async def _conflict(
    session: AsyncSession, example: str, item: ReviewItemView, reason: str, tz: str
) -> Conflict:
    base = feed_words(BASE_FEEDS.get(example, ""))
    if match := DISAGREES.match(reason):
        name, feed = match["field"], match["feed"]
        other = await source_record(session, feed, item.fields, item.reference)
        other_value = scalar_text(other.get(name), tz) if other else "no record"
        base_value = scalar_text(item.fields.get(name), tz)
        return Conflict(
            _words(reason, name), humanize(name), base, base_value, feed_words(feed), other_value,
            person=name.endswith(OWNER_SUFFIX),
        )  # fmt: skip
    if match := BEFORE.match(reason):
        name, feed, other_name = match["field"], match["feed"], match["other"]
        other = await source_record(session, feed, item.fields, item.reference)
        return Conflict(
            _words(reason, name),
            f"{humanize(name)} / {humanize(other_name).lower()}",
            base,
            scalar_text(item.fields.get(other_name), tz),
            feed_words(feed),
            scalar_text(other.get(name), tz) if other else "no record",
        )
    if match := MISSING.match(reason):
        feed = feed_words(match["feed"])
        return Conflict(_reason_words(reason), "record", base, "present", feed, "missing")
    return Conflict(_reason_words(reason))


def _words(reason: str, name: str) -> str:
    """``service_line disagrees with manager-response-tracker`` → "Service line disagrees with
    manager response tracker" (fields and feeds in words)."""
    return humanize(name) + _in_words(reason[len(name) :])


def _in_words(text: str) -> str:
    return gap_words(SNAKE.sub(lambda m: lower_first(humanize(m[0])), with_feed_words(text)))


def _owner_words(reason: str) -> str:
    """ "Triage owner ID disagrees …" → "Triage owner disagrees …" (the values are people)."""
    return re.sub(r"\b(owner) ID\b", r"\1", reason)


def _reason_words(reason: str) -> str:
    """Any reconciliation reason in words, first letter capital."""
    return capital(_in_words(reason))


def reason_in_words(reason: str) -> str:
    """One exception reason as the review's list words it, capitalised ("Triage owner disagrees
    with the manager response tracker"); the dashboard shows it too."""
    return _owner_words(_reason_words(reason))


async def exception_rows(
    session: AsyncSession, example: str, items: list[ReviewItemView], tz: str
) -> list[ExceptionRow]:
    """Each unreconciled item with its reasons and the values its sources hold now."""
    rows = []
    for item in items:
        if item.classification is not None:
            continue
        conflicts = [await _conflict(session, example, item, r, tz) for r in item.reasons]
        rows.append(
            ExceptionRow(
                shown_reference(item), str(item.fields.get("service_line") or "—"), conflicts
            )
        )
    await _named(session, rows)
    return rows


async def _named(session: AsyncSession, rows: list[ExceptionRow]) -> None:
    """An owner's employee ID ("Triage owner ID E0131") as the person's name with the ID, and
    the field without "id" ("Triage owner")."""
    people = [c for row in rows for c in row.conflicts if c.person]
    ids = {v for c in people for v in (c.base_value, c.other_value)}
    names = await staff_names(session, ids) if ids else {}
    for c in people:
        c.field = c.field.removesuffix(" ID")
        c.reason = c.reason.replace(f"{c.field} ID", c.field, 1)
        c.base_value = names.get(c.base_value, c.base_value)
        c.other_value = names.get(c.other_value, c.other_value)


def counts(summary: dict[str, Any]) -> list[tuple[str, int]]:
    """The review's counts per classification, then exceptions, as (label, count)."""
    found = [(exposure_words(k), int(v)) for k, v in (summary.get("counts") or {}).items()]
    if "exceptions" in summary:
        found.append(("exceptions (not reconciled)", int(summary["exceptions"])))
    return found
