"""What a person recognises an evidence entry by: its time and what it says, never its ID.

An evidence checkbox's value stays the entry's ID (``incident-platform:NM-1:v1``, ``event:47``);
its label is built here from the opened documents' entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request

from api.case_actions import read_document
from api.errors import ApiError
from api.web.render import local_time
from api.web.words import feed_words, humanize
from store.db import transaction
from store.tables import Case

_TIME_KEYS = ("at", "received_at", "updated_at", "recorded_at")
_TEXT_KEYS = ("description", "summary", "title", "event", "action")


def _entries(body: Any) -> Iterable[dict[str, Any]]:
    if isinstance(body, dict):
        if isinstance(body.get("id"), str):
            yield body
        for value in body.values():
            yield from _entries(value)
    elif isinstance(body, list):
        for value in body:
            yield from _entries(value)


def _what(entry: dict[str, Any]) -> str:
    content = entry.get("content")
    sources: list[dict[str, Any]] = [entry, content if isinstance(content, dict) else {}]
    for source in sources:
        for key in _TEXT_KEYS:
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:120]
    kind = str(entry.get("kind") or "")
    if kind == "record_received" and entry.get("source"):
        version = f" (version {entry['version']})" if entry.get("version") else ""
        return f"record received from the {feed_words(str(entry['source']))}{version}"
    if kind:
        return humanize(kind)
    if entry.get("version"):
        return f"version {entry['version']}"
    return "entry"


def entry_label(entry: dict[str, Any], tz: str) -> str:
    """ "Mon 7 Dec, 09:30 — Near miss on ward 4" or "Mon 7 Dec, 09:31 — Step submitted"."""
    when = next((entry[k] for k in _TIME_KEYS if isinstance(entry.get(k), str) and entry[k]), "")
    try:
        at = local_time(when, tz) if when else ""
    except ValueError:
        at = str(when)
    what = _what(entry)
    return f"{at} — {what}" if at else what[:1].upper() + what[1:]


async def entry_labels(request: Request, case: Case, documents: Iterable[str]) -> dict[str, str]:
    """Each entry ID of the opened ``documents`` → its label (a document it cannot read: none)."""
    tz = request.app.state.settings.timezone
    labels: dict[str, str] = {}
    # A case page's read: its own short transaction, as case_view.load_case says why.
    async with transaction(request.app.state.sessions) as session:
        for document in documents:
            try:
                body = await read_document(session, case, document)
            except ApiError:
                continue
            for entry in _entries(body):
                labels.setdefault(f"{document}#{entry['id']}", entry_label(entry, tz))
    return labels


def cited(value: Any) -> dict[str, set[str]]:
    """Each document a recorded payload cites entries of → the entry IDs it cites
    (``{"document": "report-chronology", "entry": "event:85"}`` anywhere in it)."""
    found: dict[str, set[str]] = {}
    if isinstance(value, dict):
        if isinstance(value.get("document"), str) and isinstance(value.get("entry"), str):
            found.setdefault(value["document"], set()).add(value["entry"])
        for item in value.values():
            for document, ids in cited(item).items():
                found.setdefault(document, set()).update(ids)
    elif isinstance(value, list):
        for item in value:
            for document, ids in cited(item).items():
                found.setdefault(document, set()).update(ids)
    return found


async def cited_entry_words(request: Request, case: Case, payload: Any) -> dict[str, str]:
    """A receipt's cited entry IDs → what a person recognises them by (the step page's labels),
    so "event:85" reads "Mon 7 Dec, 07:04 — Acknowledged"."""
    found = cited(payload)
    if not found:
        return {}
    labels = await entry_labels(request, case, found)
    return {
        entry: labels[f"{document}#{entry}"]
        for document, ids in found.items()
        for entry in ids
        if f"{document}#{entry}" in labels
    }
