"""A case's timeline events in words, as the case page and the dashboard's timeline show them
(a step's title, a register's and a pack's name, a person's name; never codes or JSON)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from api.web.pack_words import kind_of, pack_name
from api.web.render import local_time
from api.web.words import breach_words, humanize, lower_first
from domain.cases import CaseState
from domain.examples import STEP_SPECS
from domain.pathway_actions import action_title
from domain.stage_words import stage_sentence
from store.tables import CaseEvent


def _title(live: CaseState | None, key: str) -> str:
    if live is not None and key in live.obligations:
        return live.obligations[key].title
    spec = STEP_SPECS.get(key)
    return spec.title if spec else humanize(key.replace("action:", ""))


def _stage(live: CaseState | None, stage: str) -> str:
    """The stage change as what it means (``domain.stage_words``, shared with the evidence
    pack), a step by the case's own obligation title."""
    return stage_sentence(stage, _title(live, stage) if stage in STEP_SPECS else None)


def _pack(d: dict[str, Any]) -> str:
    """The pack an event names, in words ("… pack, week of Mon 7 Dec 2026", not "2026-W50")."""
    period = str(d.get("period") or "")
    return (
        pack_name(str(d.get("title")), kind_of(period), period) if period else str(d.get("title"))
    )


def event_words(event: CaseEvent, names: Mapping[str, str], live: CaseState | None, tz: str) -> str:
    """One timeline event as a sentence (never JSON); ``names``: employee ID → name."""
    d: dict[str, Any] = event.detail or {}
    who = names.get(event.actor, event.actor)
    late = " (late)" if d.get("late") else " (on time)" if "late" in d else ""
    sentences = {
        "stage": lambda: _stage(live, str(d.get("stage") or "")),
        "obligation_opened": lambda: (
            f"{_title(live, str(d.get('obligation')))} opened, due "
            f"{local_time(d.get('deadline'), tz)} ({d.get('rule')})."
        ),
        "escalated": lambda: (
            f"{_title(live, str(d.get('obligation')))}: "
            f"{breach_words(int(d.get('level', 1)), _role_of(live, str(d.get('obligation'))))}"
            f" ({len(d.get('notified') or [])} notified)."
        ),
        "step_submitted": lambda: (
            f"{_title(live, str(d.get('step')))} recorded by {who}{late} in the "
            f"{lower_first(humanize(d.get('register')))}"
            + (f", entry {d['seq']}." if "seq" in d else ".")
        ),
        "document_opened": lambda: f"{who} opened the {humanize(d.get('document')).lower()}.",
        "exposure_raised": lambda: f"Exposure raised to {humanize(d.get('exposure')).lower()}.",
        "exposure_confirmed": lambda: f"Exposure confirmed: {humanize(d.get('exposure')).lower()}.",
        "pathway_accepted": lambda: f"Pathway accepted by {who}{late}.",
        "action_done": lambda: f"{action_title(str(d.get('action')))} done by {who}{late}.",
        "made_visible": lambda: f"Made visible in the {lower_first(_pack(d))}, published by {who}.",
        "closed": lambda: f"Case closed ({humanize(d.get('category')).lower()}).",
        "pathway_reassigned": lambda: (
            f"Pathway reassigned from {_person(names, d.get('from'))} to "
            f"{_person(names, d.get('to'))} by {who}. Reason: {d.get('reason') or '—'}"
        ),
    }
    sentence = sentences.get(event.kind)
    if sentence is not None:
        return sentence()
    facts = "; ".join(
        f"{humanize(k).lower()}: {v}" for k, v in d.items() if not isinstance(v, dict)
    )
    return f"{humanize(event.kind)}" + (f" — {facts}." if facts else ".")


def _person(names: Mapping[str, str], employee_id: Any) -> str:
    """A person an event names, by name ("Aled Price (E0121)"); the ID alone if unknown."""
    return names.get(str(employee_id), str(employee_id)) if employee_id else "nobody named"


def people_in(events: Iterable[CaseEvent]) -> set[str]:
    """Everyone the events name (their actors, and a reassignment's two owners): the names
    ``event_words`` needs."""
    found = set()
    for e in events:
        found.add(e.actor)
        if e.kind == "pathway_reassigned":
            found |= {str(v) for k, v in (e.detail or {}).items() if k in ("from", "to") and v}
    return found


def _role_of(live: CaseState | None, key: str) -> str | None:
    if live is not None and key in live.obligations:
        ob = live.obligations[key]
        return ob.role.value if ob.role else None
    spec = STEP_SPECS.get(key)
    return spec.role.value if spec and spec.role else None
