"""Any document (the JSON the API returns) as a readable tree: labelled facts, tables, lists.

Objects become label/value facts, lists of like objects become tables, instants become the
provider's local time; the template renders the tree with one recursive macro.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.web.entry_words import entry_what
from api.web.render import local_date, local_time, plural
from api.web.words import feed_words, humanize, value_words, yes_no
from domain.mail_words import capital, id_words

INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A vocabulary value: manager_non_review, or a hyphenated slug of words only
# (acknowledgment-recovery; case IDs and references carry digits or capitals and stay as they are)
VOCABULARY = re.compile(r"^[a-z]+((_[a-z0-9]+)+|(-[a-z]+)+)$")
PERSON_KEYS = re.compile(r"(_id|_by|owner|actor|assignee)$")  # keys whose values name a person
SKIP = frozenset({"document", "case_id"})  # the page's heading says these already
# Fields for machines, never for a reader: a submission's idempotency key (the API's JSON keeps
# it; an inspector traces a step by its register entry, which the page names).
HIDDEN = frozenset({"request_id"})


@dataclass
class Node:
    """``kind`` is text, facts (label, node pairs), table (headers, rows) or list (items)."""

    kind: str
    text: str = ""
    facts: list[tuple[str, Node]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)


Names = Mapping[str, str]
NO_NAMES: Names = {}


def person_ids(value: Any) -> set[str]:
    """Every string under a key that names a person (``responsible_owner_id``, ``published_by``),
    for the page to look their names up."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and PERSON_KEYS.search(str(key)):
                found.add(item)
            else:
                found |= person_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= person_ids(item)
    return found


def scalar_text(value: Any, tz: str, names: Names = NO_NAMES) -> str:
    """One value in words: a person's name for their employee ID, instants in local time,
    dates as dates, booleans as Yes/No, vocabulary slugs as words."""
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, str):
        if (words := id_words(value)) != value:  # an ID shows as what people call it
            return capital(words)
        if INSTANT.match(value):
            return local_time(value, tz, with_year=True)
        if DAY.match(value):
            return local_date(value)
        if VOCABULARY.match(value) and value != "none":  # "none": value_words' "None recorded"
            return humanize(value)
        return value_words(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return yes_no(value)


# Which policy and record fields are durations, by name (a ``_min`` suffix alone is not one:
# ``repeat_category_min`` is a least count); their label drops the unit the value then says.
MINUTES = frozenset(
    {
        "ack_emerging_min",
        "ack_critical_min",
        "triage_emerging_min",
        "triage_critical_min",
        "ack_elapsed_min",
        "triage_elapsed_min",
    }
)
SECONDS = frozenset({"agree_seconds"})
LABELS = {  # fields whose name alone does not read as words
    "seq": "Entry",  # a register entry's number, as the registers page says it
    "actor": "By",
    "payload": "What was recorded",
    "repeat_category_min": "Repeat category (least count)",
    "repeat_min": "Repeat (least count)",
    "agree_seconds": "Sources agree within",
    "version": "Policy version",
    "opened_at": "Opened",
    "closed_at": "Closed",
}
POLICY_VERSION = re.compile(r"^(ack|learning|closure)-policy-v(\d+)$")
POLICY_NAMES = {"ack": "acknowledgment", "learning": "learning-visibility", "closure": "closure"}


def _key_words(key: str, value: Any = None) -> str:
    """A field's name in words; an owner's ID field names the person: "Responsible owner"; a
    duration drops its unit, which its value says ("Acknowledgment emerging")."""
    if key in LABELS and (key != "version" or _policy_version(value)):
        return LABELS[key]
    if key.endswith(("_owner_id", "_worker_id")) or (
        key.endswith("_id") and isinstance(value, str) and id_words(value) != value
    ):
        key = key.removesuffix("_id")
    return humanize(key.removesuffix("_min") if _in_minutes(key, value) else key)


def _in_minutes(key: str, value: Any) -> bool:
    """A duration in minutes (``ack_emerging_min``: 1440)."""
    return key in MINUTES and isinstance(value, int) and not isinstance(value, bool)


def _policy_version(value: Any) -> str:
    """``ack-policy-v1`` → "Acknowledgment policy, version 1" ("" for anything else)."""
    found = POLICY_VERSION.match(value) if isinstance(value, str) else None
    if found is None:
        return ""
    return f"{capital(POLICY_NAMES[found[1]])} policy, version {found[2]}"


def minutes_words(minutes: int) -> str:
    """1440 → "24 hours", 90 → "1 hour 30 minutes", 45 → "45 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = [plural(hours, "hour")] if hours else []
    if rest or not hours:
        parts.append(plural(rest, "minute"))
    return " ".join(parts)


def _value_node(key: str, value: Any, tz: str, names: Names) -> Node:
    if _in_minutes(key, value):
        return Node(kind="text", text=minutes_words(value))
    if key in SECONDS and isinstance(value, int) and not isinstance(value, bool):
        return Node(kind="text", text=plural(value, "second"))
    if version := _policy_version(value):
        return Node(kind="text", text=version)
    return to_node(value, tz, names=names)


def _entry_rows(rows: list[dict[str, Any]]) -> bool:
    """Rows of citable entries (a chronology's, a register's concerns), each with its own ID. A
    person knows an entry by its time and what it says (as the evidence form labels it), so its
    ID is not shown."""
    return all(isinstance(r.get("id"), str) for r in rows)


# A chronology's columns in a care manager's words: when, what happened (never its kind's code,
# "Stage" or "Record received": the walk of 7 December), from which feed or case, when received.
CHRONOLOGY = {"source": "From", "received_at": "Received", "content": "Record"}
# What "When" and "What happened" say (an event's detail as the case page's history says it).
SAID = frozenset({"id", "at", "kind", "dated_by", "detail"})
FIRST = ("source", "version", "actor", "received_at")  # then the record as the feed sent it


def _chronology(rows: list[dict[str, Any]], tz: str, names: Names) -> Node:
    """A chronology's entries: when and what happened first, as the evidence choices say it."""
    found = [k for k in dict.fromkeys(k for row in rows for k in row) if k not in SAID | HIDDEN]
    keys = sorted(found, key=lambda k: FIRST.index(k) if k in FIRST else len(FIRST))
    return Node(
        kind="table",
        headers=[
            "When",
            "What happened",
            *(
                CHRONOLOGY.get(k) or _key_words(k, next((r[k] for r in rows if k in r), None))
                for k in keys
            ),
        ],
        rows=[
            [
                Node(kind="text", text=scalar_text(row["at"], tz)),
                Node(kind="text", text=capital(entry_what(row, tz, names, with_feed=False))),
                *(_cell(k, row.get(k), tz, names) for k in keys),
            ]
            for row in rows
        ],
    )


def _cell(key: str, value: Any, tz: str, names: Names) -> Node:
    """A chronology cell: where the entry came from (a feed by its name, the case or, in example
    3, which case), who (the service, for what it did itself), else the value in words."""
    if key == "source" and value == "case":
        return Node(kind="text", text="This case")
    if key == "source" and isinstance(value, str):
        words = feed_words(value)
        return Node(kind="text", text=capital(words if words != value else id_words(value)))
    if key == "actor" and value == "system":
        return Node(kind="text", text="The service")
    return _value_node(key, value, tz, names)


def _table(rows: list[dict[str, Any]], tz: str, names: Names) -> Node:
    if _entry_rows(rows) and all(isinstance(r.get("kind"), str) and "at" in r for r in rows):
        return _chronology(rows, tz, names)
    headers = list(dict.fromkeys(key for row in rows for key in row if key not in HIDDEN))
    if _entry_rows(rows):
        headers.remove("id")
    return Node(
        kind="table",
        headers=[_key_words(h, next((r[h] for r in rows if h in r), None)) for h in headers],
        rows=[[_value_node(h, row.get(h), tz, names) for h in headers] for row in rows],
    )


def reasons_words(item: Mapping[str, Any]) -> str | None:
    """A classified review item's (or classification's) empty ``reasons`` in words, else None.

    Its ``reasons`` are the exception reasons, empty once it reconciled; what made the
    classification is its indicators (examples 1 and 2) beside them, or in its ``fields``."""
    if item.get("reasons") or not item.get("classification"):
        return None
    fields = item.get("fields")
    inner = fields if isinstance(fields, Mapping) else {}
    found = item.get("indicators") or inner.get("indicators") or []
    if found:
        return "; ".join(humanize(str(f)) for f in found)
    return "No indicator above threshold; it reconciled across every source."


def to_node(value: Any, tz: str, *, top: bool = False, names: Names = NO_NAMES) -> Node:
    """``value`` as a display tree (``top``: leave out what the heading already says;
    ``names``: employee ID → name, shown instead of the ID; an empty list: "None recorded",
    and a classified item's empty exception reasons: what made its classification)."""
    if isinstance(value, dict):
        why = reasons_words(value) if "reasons" in value else None
        facts = [
            (_key_words(k), Node(kind="text", text=why))
            if k == "reasons" and why is not None
            else (_key_words(k, v), _value_node(k, v, tz, names))
            for k, v in value.items()
            if not (top and k in SKIP) and k not in HIDDEN
        ]
        return Node(kind="facts", facts=facts) if facts else Node(kind="text", text="—")
    if isinstance(value, list):
        if not value:
            return Node(kind="text", text="None recorded")
        if all(isinstance(v, dict) for v in value):
            return _table(value, tz, names)
        return Node(kind="list", items=[to_node(v, tz, names=names) for v in value])
    return Node(kind="text", text=scalar_text(value, tz, names))
