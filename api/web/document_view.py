"""Any document (the JSON the API returns) as a readable tree: labelled facts, tables, lists.

Objects become label/value facts, lists of like objects become tables, instants become the
provider's local time; the template renders the tree with one recursive macro.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from api.web.render import local_date, local_time
from api.web.words import humanize, yes_no

INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VOCABULARY = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")  # a vocabulary value (manager_non_review)
SKIP = frozenset({"document", "case_id"})  # the page's heading says these already


@dataclass
class Node:
    """``kind`` is text, facts (label, node pairs), table (headers, rows) or list (items)."""

    kind: str
    text: str = ""
    facts: list[tuple[str, Node]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)


def scalar_text(value: Any, tz: str) -> str:
    """One value in words: instants in local time, dates as dates, booleans as Yes/No."""
    if isinstance(value, str):
        if INSTANT.match(value):
            return local_time(value, tz, with_year=True)
        if DAY.match(value):
            return local_date(value)
        return humanize(value) if VOCABULARY.match(value) else value
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return yes_no(value)


def _table(rows: list[dict[str, Any]], tz: str) -> Node:
    headers = list(dict.fromkeys(key for row in rows for key in row))
    return Node(
        kind="table",
        headers=[humanize(h) for h in headers],
        rows=[[to_node(row.get(h), tz) for h in headers] for row in rows],
    )


def to_node(value: Any, tz: str, *, top: bool = False) -> Node:
    """``value`` as a display tree (``top``: leave out what the heading already says)."""
    if isinstance(value, dict):
        facts = [(humanize(k), to_node(v, tz)) for k, v in value.items() if not (top and k in SKIP)]
        return Node(kind="facts", facts=facts) if facts else Node(kind="text", text="—")
    if isinstance(value, list):
        if not value:
            return Node(kind="text", text="none")
        if all(isinstance(v, dict) for v in value):
            return _table(value, tz)
        return Node(kind="list", items=[to_node(v, tz) for v in value])
    return Node(kind="text", text=scalar_text(value, tz))
