"""The evidence pack's sampled chronology says what happened and who did it (walk of 7
December: "Mon 9 Nov 09:00 · triage-failure attribution · system · —" read as if the service
did the attribution): a step opened, a step recorded by its person, a stage the case is now at."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from api.web.event_words import event_words
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
        ["Now at the step Triage-failure attribution.", "the service"],
        ["Triage-failure attribution recorded.", "Ben Okafor (E1)"],
        ["Now in active recovery: the pathway's actions are under way.", "the service"],
    ]


def test_the_case_page_words_a_stage_as_the_pack_does() -> None:
    """Walk 13: the pack said "now opened", "now awaiting pack visibility", "now active
    stabilization"; the case page "Case opened." and "Now at the step …". One wording now
    (domain.stage_words), the case page's."""
    stages = ["opened", "awaiting-visibility", "active-stabilization", "retention-impact"]
    events = [_event("stage", "system", stage=stage) for stage in stages]
    events.append(
        _event("made_visible", "E1", title="Fortnightly workforce governance summary",
               period="2026-10-26")
    )  # fmt: skip
    records = Records({"c": events}, {"c": {}}, {"c": []}, {"E1": "Ben Okafor (E1)"})
    pack = [row[1] for row in chronology(records, "c", "Europe/London")]
    page = [
        event_words(SimpleNamespace(kind="stage", actor="system", detail={"stage": s}), {}, None,
                    "Europe/London")
        for s in stages
    ]  # fmt: skip
    assert (
        pack[:4]
        == page
        == [
            "Case opened.",
            "Now waiting to be made visible by the next pack's publication.",
            "Now in active stabilization: the pathway's actions are under way.",
            "Now at the step Retention impact analysis.",
        ]
    )
    assert pack[4].startswith("Made visible in the fortnightly workforce governance summary")
    assert [w for w in pack if w.startswith("now ") or "made visible by:" in w] == []
