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
from api.web.event_words import event_words
from api.web.render import local_time
from api.web.words import feed_words, humanize
from domain.titles import capital
from store.db import transaction
from store.staff import staff_names
from store.tables import Case, CaseEvent

ENTRY_MARK = "#"  # "document#entry", as the step form's evidence checkboxes say it
_TIME_KEYS = ("at", "received_at", "updated_at", "recorded_at", "opened_at")
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


# A record placed at its own date (example 3's chronology: it also says when it was received)
# by what happened then, as the chronology dates it (store.credibility_documents.OWN_DATE).
OWN_EVENTS = {
    "closed-case-register": "case closed",
    "employee-confirmation-form": "worker answered the confirmation",
    "reopened-risk-tracker": "risk reopened",
    "final-action-evidence-library": "final-action evidence recorded",
    "incident-platform": "near miss reported",
}


# Examples 1 and 2's chronologies date a record version by the latest date it carries
# (store.document_context.own_date), naming which ("dated_by"): what happened then.
DATED_BY = {
    "submitted_at": "near miss reported",
    "first_acknowledged_at": "report first acknowledged",
    "triage_completed_at": "triage completed",
    "closed_at": "report closed",
    "updated_at": "triage record updated",
    "completed_at": "corrective action completed",
    "feedback_to_reporter_at": "feedback given to the reporter",
    "bulletin_issued_at": "learning bulletin issued",
    "analysed_at": "recurrence analysed",
}


def _record(entry: dict[str, Any]) -> str:
    source = str(entry["source"])
    version = f", version {entry['version']}" if entry.get("version") else ""
    if "dated_by" in entry:  # at its own date, or (None) at its receipt
        what = DATED_BY.get(str(entry["dated_by"]))
        if what is not None:
            return f"{what} (the {feed_words(source)}{version})"
        version = f" (version {entry['version']})" if entry.get("version") else ""
        return f"record received from the {feed_words(source)}{version}"
    if "received_at" in entry and source in OWN_EVENTS:
        return f"{OWN_EVENTS[source]} (the {feed_words(source)}{version})"
    version = f" (version {entry['version']})" if entry.get("version") else ""
    return f"record received from the {feed_words(source)}{version}"


def _what(entry: dict[str, Any], tz: str, names: Mapping[str, str]) -> str:
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
        return _record(entry)
    if kind and isinstance(entry.get("detail"), dict):  # a case event, as the case page says it
        event = CaseEvent(kind=kind, actor=str(entry.get("actor") or ""), detail=entry["detail"])
        return event_words(event, names, None, tz).removesuffix(".")
    if kind:
        return humanize(kind)
    if entry.get("version"):
        return f"version {entry['version']}"
    return "entry"


def entry_label(entry: dict[str, Any], tz: str, names: Mapping[str, str] | None = None) -> str:
    """ "Mon 7 Dec, 09:30 — Near miss on ward 4" or "Mon 7 Dec, 09:31 — Retention impact
    recorded by Chloe Jones (on time) …" (``names``: employee ID → name)."""
    when = next((entry[k] for k in _TIME_KEYS if isinstance(entry.get(k), str) and entry[k]), "")
    try:
        at = local_time(when, tz) if when else ""
    except ValueError:
        at = str(when)
    what = _what(entry, tz, names or {})
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
