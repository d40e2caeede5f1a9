"""The evidence rule of the attribution and adjudication steps (the seed's words, per example)."""

from __future__ import annotations

from typing import get_args

import pytest

from domain.acknowledgment_steps import TRIAGE_ATTRIBUTION
from domain.credibility_steps import CREDIBILITY_ADJUDICATION
from domain.learning_steps import LEARNING_ATTRIBUTION
from domain.steps import evidence_errors
from store.documents import entry_ids

KINDS = {
    TRIAGE_ATTRIBUTION: ("report-chronology", "risk-classification-source"),
    LEARNING_ATTRIBUTION: ("corrective-action-chronology", "learning-communication-record"),
    CREDIBILITY_ADJUDICATION: ("case-chronology", "final-action-evidence"),
}


def submitted(spec, *evidence):
    return spec.fields.model_construct(confirmed_sources=[_source(spec, list(evidence))])


def _source(spec, evidence):
    annotation = spec.fields.model_fields["confirmed_sources"].annotation
    while get_args(annotation) and not hasattr(annotation, "model_fields"):
        annotation = get_args(annotation)[0]
    source = get_args(annotation.model_fields["source"].annotation)[0]
    return annotation.model_validate({"source": source, "evidence": evidence})


@pytest.mark.parametrize("spec", list(KINDS))
def test_each_confirmed_source_needs_both_kinds_of_opened_evidence(spec):
    chronology, other = KINDS[spec]
    opened = {chronology, other}
    entries = {chronology: ["event:1", f"{chronology}:X:v1"]}
    both = submitted(spec, {"document": chronology, "entry": "event:1"}, {"document": other})
    assert evidence_errors(spec, both, opened, entries) == []
    [only] = evidence_errors(spec, submitted(spec, {"document": chronology}), opened, entries)
    assert only.field == "confirmed_sources.0.evidence" and other in only.message
    [only] = evidence_errors(spec, submitted(spec, {"document": other}), opened, entries)
    assert chronology in only.message
    unopened = evidence_errors(
        spec, submitted(spec, {"document": chronology}, {"document": other}), {chronology}, {}
    )
    assert [e.field for e in unopened] == ["confirmed_sources.0.evidence.1.document"]
    ghost = submitted(spec, {"document": chronology, "entry": "event:2"}, {"document": other})
    [missing] = evidence_errors(spec, ghost, opened, entries)
    assert missing.field == "confirmed_sources.0.evidence.0.entry"
    misplaced = submitted(spec, {"document": chronology}, {"document": other, "entry": "event:1"})
    [missing] = evidence_errors(spec, misplaced, opened, entries)
    assert missing.field == "confirmed_sources.0.evidence.1.entry"


def test_entry_ids_are_every_citable_id_in_a_document():
    """Records and recorded actions, wherever they sit; the service's own events are not."""
    body = {
        "entries": [
            {"id": "event:1", "kind": "step_submitted", "detail": {"id": "event:2"}},
            {"id": "event:3", "kind": "stage"},
            {"id": "event:4", "kind": "document_opened"},
            {"at": "x"},
        ],
        "current": {"id": "feed:K:v3"},
        "id_like": "not-an-entry",
    }
    assert entry_ids(body) == ["event:1", "feed:K:v3"]
