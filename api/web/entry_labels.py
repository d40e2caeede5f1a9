"""What a person recognises an evidence entry by: its time and what it says, never its ID.

An evidence checkbox's value stays the entry's ID (``incident-platform:NM-1:v1``, ``event:47``);
its label is built here from the opened documents' entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request

from api.case_actions import read_document
from api.errors import ApiError
from api.web.entry_words import entry_what
from api.web.render import local_time
from api.web.words import humanize
from domain.titles import capital
from store.db import transaction
from store.staff import staff_names
from store.tables import Case

ENTRY_MARK = "#"  # "document#entry", as the step form's evidence checkboxes say it
_TIME_KEYS = ("at", "received_at", "updated_at", "recorded_at", "opened_at")


def _entries(body: Any) -> Iterable[dict[str, Any]]:
    if isinstance(body, dict):
        if isinstance(body.get("id"), str):
            yield body
        for value in body.values():
            yield from _entries(value)
    elif isinstance(body, list):
        for value in body:
            yield from _entries(value)


def entry_label(entry: dict[str, Any], tz: str, names: Mapping[str, str] | None = None) -> str:
    """ "Mon 7 Dec, 09:30 — Near miss on ward 4" or "Mon 7 Dec, 09:31 — Retention impact
    recorded by Chloe Jones (on time) …" (``names``: employee ID → name)."""
    when = next((entry[k] for k in _TIME_KEYS if isinstance(entry.get(k), str) and entry[k]), "")
    try:
        at = local_time(when, tz) if when else ""
    except ValueError:
        at = str(when)
    what = entry_what(entry, tz, names or {})
    return f"{at} — {what}" if at else capital(what)


async def entry_labels(request: Request, case: Case, documents: Iterable[str]) -> dict[str, str]:
    """Each entry ID of the opened ``documents`` → its label (a document it cannot read: none)."""
    tz = request.app.state.settings.timezone
    found: list[tuple[str, dict[str, Any]]] = []
    # A case page's read: its own short transaction, as case_view.load_case says why.
    async with transaction(request.app.state.sessions) as session:
        for document in documents:
            try:
                body = await read_document(session, case, document)
            except ApiError:
                continue
            found += [(document, entry) for entry in _entries(body)]
        actors = {str(e["actor"]) for _, e in found if isinstance(e.get("actor"), str)}
        names = await staff_names(session, actors) if actors else {}
    labels: dict[str, str] = {}
    for document, entry in found:
        labels.setdefault(f"{document}{ENTRY_MARK}{entry['id']}", entry_label(entry, tz, names))
    return labels


def _reference(value: Any) -> bool:
    """A cited piece of evidence: ``{"document": ..., "entry": ...}`` (the entry optional)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("document"), str)
        and set(value) <= {"document", "entry"}
    )


def cited(value: Any) -> dict[str, set[str]]:
    """Each document a recorded payload cites → the entry IDs it cites of it (empty when only
    the whole document is cited): ``{"document": "report-chronology", "entry": "event:85"}``
    or ``{"document": "daily-review"}`` anywhere in it."""
    found: dict[str, set[str]] = {}
    if _reference(value):
        entry = value.get("entry")
        found.setdefault(value["document"], set()).update([entry] if entry else [])
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            for document, ids in cited(item).items():
                found.setdefault(document, set()).update(ids)
    return found


def _in_words(value: Any, labels: dict[str, str], with_entries: set[str]) -> Any:
    if _reference(value):
        document, entry = value["document"], value.get("entry")
        title = humanize(document)
        if isinstance(entry, str) and entry:
            return f"{title}: {labels.get(f'{document}{ENTRY_MARK}{entry}', f'entry {entry}')}"
        if document in with_entries:
            return f"{title} (the whole document, not one of its entries)"
        return f"{title} (the whole document: it has no separate register entries)"
    if isinstance(value, dict):
        return {k: _in_words(v, labels, with_entries) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_words(v, labels, with_entries) for v in value]
    return value


async def cited_in_words(request: Request, case: Case, payload: Any) -> Any:
    """A receipt's payload with each cited document or entry as the person chose it on the
    step page: "Report chronology: Mon 7 Dec, 07:04 — Acknowledged" (never an entry ID), or
    the document's title and why no entry is named (the whole document was cited; a document
    with no entries of its own, such as the daily review, is only cited whole)."""
    found = cited(payload)
    if not found:
        return payload
    labels = await entry_labels(request, case, found)
    with_entries = {key.partition(ENTRY_MARK)[0] for key in labels}
    return _in_words(payload, labels, with_entries)
