"""The evidence pack's sampled chronology says what happened and who did it (walk of 7
December: "Mon 9 Nov 09:00 · triage-failure attribution · system · —" read as if the service
did the attribution): a step opened, a step recorded by its person, a stage the case is now at."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from store.evidence_more import Records, chronology

AT = datetime(2026, 11, 9, 9, tzinfo=UTC)


def _event(kind: str, actor: str, **detail: object) -> SimpleNamespace:
    return SimpleNamespace(case_id="c", at=AT, kind=kind, actor=actor, detail=detail)


def test_a_step_opens_then_its_person_records_it() -> None:
    events = [
        _event("stage", "system", stage="triage-attribution"),
        _event("step_submitted", "E1", step="triage-attribution", late=False),
        _event("stage", "system", stage="active-recovery"),
    ]
    records = Records({"c": events}, {"c": {}}, {"c": []}, {"E1": "Ben Okafor (E1)"})
    rows = [row[1:3] for row in chronology(records, "c", "Europe/London")]
    assert rows == [
        ["triage-failure attribution opened", "the service"],
        ["triage-failure attribution recorded", "Ben Okafor (E1)"],
        ["now active recovery", "the service"],
    ]
