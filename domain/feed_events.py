"""Each feed's own event dates (SOURCES.md's contract) and the one rule every chronology places a
received record version by: at the latest of its feed's event dates it carries, never after the
service received it (a later one is a typo, not an event); at its receipt when it carries none.

A version is a snapshot: it cannot predate the latest event it records, so a report acknowledged
two days after it was submitted is placed at the acknowledgment, and a bulletin log row at its
bulletin's issue. The walk of 7 December saw a report of 2 December dated at the demo's loading.

An event date is when the thing a feed records changed (reported, acknowledged, triaged, closed,
answered, reopened, recorded …). Not one: a promise (a corrective action's ``due_at``), a fact a
record states about an earlier moment (the closed-case register's
``last_employee_communication_at``: placing the closure there would hide when the case closed),
or a day rather than an instant (the staff directory's ``started_at``, ``left_at``). Each date
comes with what happened then, in the words a chronology says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.instants import instant

REPORTED = "near miss reported"
ACKNOWLEDGED = "report first acknowledged"

EVENT_DATES: dict[str, dict[str, str]] = {
    "incident-platform": {
        "submitted_at": REPORTED,
        "first_acknowledged_at": ACKNOWLEDGED,
        "triage_completed_at": "triage completed",
        "closed_at": "report closed",
    },
    "workforce-reporting-log": {"submitted_at": REPORTED, "first_acknowledged_at": ACKNOWLEDGED},
    "manager-response-tracker": {
        "triage_owner_assigned_at": "triage owner named",
        "updated_at": "triage record updated",
    },
    "service-line-governance-register": {},
    "corrective-action-tracker": {"completed_at": "corrective action completed"},
    "learning-bulletin-log": {
        "feedback_to_reporter_at": "feedback given to the reporter",
        "bulletin_issued_at": "learning bulletin issued",
    },
    "recurrence-analysis-file": {"analysed_at": "recurrence analysed"},
    "closed-case-register": {"closed_at": "case closed"},
    "employee-confirmation-form": {"responded_at": "worker answered the confirmation"},
    "reopened-risk-tracker": {"reopened_at": "risk reopened"},
    "final-action-evidence-library": {"recorded_at": "final-action evidence recorded"},
    "workforce-concern-register": {"opened_at": "concern opened", "closed_at": "concern closed"},
    "speaking-up-confidence-form": {"submitted_at": "speaking-up confidence form submitted"},
    "staff-directory": {},
}


def own_date(
    feed: str, content: Mapping[str, Any], received: datetime
) -> tuple[datetime, str | None]:
    """Where a chronology places a record version of FEED received at RECEIVED (a UTC instant):
    the latest of its feed's event dates it carries, not after RECEIVED, and that date's field;
    RECEIVED and None when it carries none (or none readable)."""
    found: list[tuple[datetime, str]] = []
    for name in EVENT_DATES.get(feed, {}):
        value = content.get(name)
        try:
            moment = instant(value) if isinstance(value, str) else None
        except ValueError:
            continue
        if moment is not None and moment <= received:
            found.append((moment, name))
    return max(found, key=lambda pair: pair[0]) if found else (received, None)


def what_happened(feed: str, dated_by: str | None) -> str | None:
    """What happened at a record's own date (``own_date``'s field) in words; None at receipt."""
    return EVENT_DATES.get(feed, {}).get(dated_by or "")
