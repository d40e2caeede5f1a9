"""What a chronology entry says happened, in words: a case event as the case page says it, a
record version by what happened at its own date (``domain.feed_events``). The evidence choices'
labels (``api.web.entry_labels``) and a chronology document's table both say it so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.web.event_words import event_words
from api.web.words import feed_words, humanize
from domain.feed_events import what_happened
from store.tables import CaseEvent

_TEXT_KEYS = ("description", "summary", "title", "event", "action")


def _record(entry: dict[str, Any], *, with_feed: bool) -> str:
    """A record version by what happened at its own date (``domain.feed_events``, the rule every
    chronology places it by), or by its receipt when it carries no date of its own; the feed
    and version beside it unless a table's columns say them (``with_feed`` false)."""
    source = str(entry["source"])
    what = what_happened(source, entry.get("dated_by"))
    if not with_feed:
        return what or "record received"
    if what is not None:
        version = f", version {entry['version']}" if entry.get("version") else ""
        return f"{what} (the {feed_words(source)}{version})"
    version = f" (version {entry['version']})" if entry.get("version") else ""
    return f"record received from the {feed_words(source)}{version}"


def entry_what(
    entry: dict[str, Any], tz: str, names: Mapping[str, str], *, with_feed: bool = True
) -> str:
    """What the entry says happened: its own text (a description, a title …), a concern by its
    type and status, a record by what happened at its own date, a case event as the case page
    says it (``names``: employee ID → name), else its kind in words."""
    content = entry.get("content")
    sources: list[dict[str, Any]] = [entry, content if isinstance(content, dict) else {}]
    for source in sources:
        for key in _TEXT_KEYS:
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:120]
    if isinstance(entry.get("concern_type"), str):  # the workforce concern register's
        status = entry.get("status") or "status unknown"
        return f"{humanize(entry['concern_type'])} concern, {status}"
    kind = str(entry.get("kind") or "")
    if kind == "record_received" and entry.get("source"):
        return _record(entry, with_feed=with_feed)
    if kind and isinstance(entry.get("detail"), dict):  # a case event, as the case page says it
        event = CaseEvent(kind=kind, actor=str(entry.get("actor") or ""), detail=entry["detail"])
        return event_words(event, names, None, tz).removesuffix(".")
    if kind:
        return humanize(kind)
    if entry.get("version"):
        return f"version {entry['version']}"
    return "entry"
