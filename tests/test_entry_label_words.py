"""What a citation names (the step form's evidence choices, the receipt): a case event as the
case page says it, a feed record by what happened at its own date (the walk of 7 December read
"Mon 7 Dec, 09:31 — Stage" and "— Obligation opened", words nobody could place)."""

from __future__ import annotations

from api.web.entry_labels import entry_label

TZ = "Europe/London"


def test_case_events_read_as_the_case_page_says_them() -> None:
    stage = {"id": "event:4", "at": "2026-12-07T09:31:00+00:00", "kind": "stage",
             "actor": "system", "detail": {"stage": "pathway-acceptance"}}  # fmt: skip
    assert entry_label(stage, TZ) == (
        "Mon 7 Dec, 09:31 — Now waiting for the named owner to accept the pathway"
    )
    opened = {"id": "event:5", "at": "2026-12-07T09:31:00+00:00", "kind": "obligation_opened",
              "actor": "system", "detail": {"obligation": "credibility-adjudication",
              "deadline": "2026-12-08T17:00:00+00:00", "rule": "1 working day"}}  # fmt: skip
    assert entry_label(opened, TZ) == (
        "Mon 7 Dec, 09:31 — Closure-credibility adjudication opened, due Tue 8 Dec, 17:00 "
        "(1 working day)"
    )
    accepted = {"id": "event:6", "at": "2026-12-07T10:00:00+00:00", "kind": "pathway_accepted",
                "actor": "E0101", "detail": {"late": False}}  # fmt: skip
    names = {"E0101": "Eilidh Wright (E0101)"}
    assert entry_label(accepted, TZ, names) == (
        "Mon 7 Dec, 10:00 — Pathway accepted by Eilidh Wright (E0101) (on time)"
    )
    for label in (entry_label(e, TZ) for e in (stage, opened)):
        assert not label.endswith(("— Stage", "— Obligation opened"))


def test_a_record_at_its_own_date_says_what_happened_then() -> None:
    closed = {"id": "closed-case-register:CC-2:v1", "at": "2026-11-02T15:00:00+00:00",
              "dated_by": "closed_at", "received_at": "2026-12-07T07:00:00+00:00",
              "source": "closed-case-register", "kind": "record_received",
              "content": {"case_ref": "CC-2"}}  # fmt: skip
    assert (
        entry_label(closed, TZ)
        == "Mon 2 Nov, 15:00 — case closed (the closed near-miss reliability register)"
    )
    received = {**closed, "version": 2, "dated_by": None}  # carries no date of its own
    assert entry_label(received, TZ).endswith(
        "— record received from the closed near-miss reliability register (version 2)"
    )


def test_a_later_version_is_cited_by_what_happened_at_its_own_date() -> None:
    """Every chronology dates a version by the latest of its feed's event dates it carries: a
    version acknowledged later is cited as the acknowledgment, not as the report (nor as
    'received')."""
    acked = {"id": "incident-platform:NM-1:v2", "at": "2026-12-02T10:30:00+00:00",
             "dated_by": "first_acknowledged_at", "received_at": "2026-12-07T23:17:00+00:00",
             "source": "incident-platform", "kind": "record_received", "version": 2}  # fmt: skip
    said = entry_label(acked, TZ)
    assert said.startswith("Wed 2 Dec, 10:30 — report first acknowledged (the ") and said.endswith(
        ", version 2)"
    ), said
    register = {**acked, "id": "service-line-governance-register:NM-1:v1", "dated_by": None,
                "source": "service-line-governance-register", "version": 1}  # fmt: skip
    assert "record received from the " in entry_label(register, TZ)
