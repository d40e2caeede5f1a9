"""One near miss's truth (``Report``) and the rows every feed derives from it, with a scenario's
deliberate discrepancies applied; ``Builder`` collects the rows of one ``generate`` call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from random import Random
from typing import Any

from cli.demo_common import (
    ACTIONS,
    BULLETINS,
    CATEGORIES,
    CLOSED,
    CONFIRMATIONS,
    EVIDENCE,
    FEED_ORDER,
    LOG,
    LONDON,
    MANAGER_LINES,
    PLATFORM,
    RECURRENCE,
    REGISTER,
    REOPENED,
    TRACKER,
    AsOf,
    Edits,
    Row,
    iso,
    local,
    uniform,
)
from cli.demo_staff import Staff


@dataclass(slots=True)
class Report:
    """The truth about one near miss, from which every feed's row is derived."""

    reference: str
    employee_id: str
    service_line: str
    risk_domain: str
    submitted: datetime
    ack: datetime | None
    triage: datetime | None
    owner: str | None
    closed: datetime | None = None
    ca_ref: str | None = None
    unsafe: bool = False
    recurrence_risk: bool = False
    manager_reviewed: bool = True
    category_code: str = ""
    client_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.closed is not None:
            return "closed"
        if self.triage is not None:
            return "triaged"
        return "pending" if self.ack is None else "in_triage"


def ack_rows(r: Report) -> dict[str, Row]:
    """The four example-1 rows of a report, all consistent."""
    common = {
        "reference": r.reference,
        "employee_id": r.employee_id,
        "service_line": r.service_line,
    }
    submitted, ack = iso(r.submitted), iso(r.ack)
    last = r.closed or r.triage or r.ack or r.submitted  # events happen in this order
    platform = {
        **common,
        "client_id": r.client_id,
        "risk_domain": r.risk_domain,
        "category_code": r.category_code or CATEGORIES[r.risk_domain][0],
        "submitted_at": submitted,
        "first_acknowledged_at": ack,
        "triage_completed_at": iso(r.triage),
        "triage_status": r.status,
        "triage_owner_id": r.owner,
        "recurrence_risk": r.recurrence_risk,
        "unsafe_condition_active": r.unsafe,
        "closed_at": iso(r.closed),
        "corrective_action_ref": r.ca_ref,
        "narrative": f"Near miss ({r.risk_domain}) reported.",
    }
    return {
        PLATFORM: platform,
        LOG: {
            **common,
            "triage_owner_id": r.owner,
            "submitted_at": submitted,
            "first_acknowledged_at": ack,
        },
        TRACKER: {
            **common,
            "triage_owner_id": r.owner,
            # The owner is named with the first acknowledgment (or at the last update).
            "triage_owner_assigned_at": iso(r.ack or last) if r.owner else None,
            "triage_status": r.status,
            "manager_reviewed": r.manager_reviewed,
            "updated_at": iso(last),
        },
        REGISTER: {
            **common,
            "manager_line": MANAGER_LINES[r.service_line],
            "triage_owner_id": r.owner,
            "risk_domain": r.risk_domain,
        },
    }


def learning_rows(r: Report, as_of: datetime, noise: Random | None) -> dict[str, Row]:
    """The example-2 rows of a closed report: visible learning unless ``noise`` varies it."""
    closed = r.closed
    assert closed is not None
    status, due = "complete", closed + timedelta(days=7)
    completed: datetime | None = closed - timedelta(hours=2)
    feedback: datetime | None = closed + timedelta(hours=3)
    issued: datetime | None = closed + timedelta(days=1)
    wider = True
    within_30, repeat = False, 0
    if noise is not None:
        x = noise.random()
        if x < 0.06:
            status, completed = "in_progress", None
        elif x < 0.09:
            status, completed, due = "open", None, closed + timedelta(days=2)
        elif x < 0.11:
            status, completed = "cancelled", None
        elif x < 0.16:
            completed = closed + timedelta(hours=uniform(noise, 2, 72))
        wider = noise.random() < 0.35
        feedback = (
            None if noise.random() < 0.12 else closed + timedelta(minutes=uniform(noise, 30, 2880))
        )
        if noise.random() < 0.15:
            issued = None
        within_30 = noise.random() < 0.1
        repeat = uniform(noise, 1, 3) if within_30 else uniform(noise, 0, 1)
    if completed is not None and completed >= as_of:
        status, completed = "in_progress", None
    issued = issued if wider and issued is not None and issued < as_of else None
    feedback = feedback if feedback is not None and feedback < as_of else None
    analysed = (closed + min(timedelta(days=1), (as_of - closed) / 2)).replace(microsecond=0)
    rows: dict[str, Row] = {
        BULLETINS: {
            "reference": r.reference,
            "risk_domain": r.risk_domain,
            "corrective_action_ref": r.ca_ref,
            "wider_relevance": wider,
            "feedback_to_reporter_at": iso(feedback),
            "bulletin_id": None if issued is None else f"LB-{issued.astimezone(LONDON):%Y%m%d}",
            "bulletin_issued_at": iso(issued),
        },
        RECURRENCE: {
            "reference": r.reference,
            "risk_domain": r.risk_domain,
            "corrective_action_ref": r.ca_ref,
            "recurrence_within_30_days": within_30,
            "repeat_count_same_domain": repeat,
            "analysed_at": iso(analysed),
        },
    }
    if r.ca_ref is not None:
        rows[ACTIONS] = {
            "corrective_action_ref": r.ca_ref,
            "reference": r.reference,
            "risk_domain": r.risk_domain,
            "status": status,
            "due_at": iso(due),
            "completed_at": iso(completed),
        }
    return rows


def apply_edits(rows: dict[str, Row], edits: Edits, as_of: datetime) -> None:
    """Apply a scenario's deliberate discrepancies (None drops the feed's row)."""
    for feed, change in edits.items():
        if change is None:
            rows.pop(feed, None)
            continue
        row = rows[feed]
        for key, value in change.items():
            if isinstance(value, AsOf):
                row[key] = iso(as_of + value.delta)
            elif isinstance(value, timedelta):
                row[key] = iso(datetime.fromisoformat(row[key]).astimezone(UTC) + value)
            elif callable(value):
                row[key] = value(row[key])
            else:
                row[key] = value


class Builder:
    """Accumulates rows per feed; one instance per ``generate`` call."""

    def __init__(self, rng: Random, as_of: datetime, staff: Staff) -> None:
        self.rng, self.as_of, self.staff = rng, as_of, staff
        self.out: dict[str, list[Row]] = {feed: [] for feed in FEED_ORDER}
        self.today = as_of.astimezone(LONDON).date()
        # Midnights of the last 130 days, so random instants need no time-zone conversion.
        self.midnight = [local(self.today - timedelta(days=d), time(0)) for d in range(131)]

    def working_time(self, days_ago: int) -> datetime:
        """A random instant between about 07:00 and 20:00 London time, ``days_ago`` days ago."""
        return self.midnight[days_ago] + timedelta(seconds=uniform(self.rng, 25_200, 71_999))

    def emit(self, rows: dict[str, Row]) -> None:
        for feed, row in rows.items():
            self.out[feed].append(row)

    def closed_case(
        self,
        case_ref: str,
        r: Report,
        confirmed: bool | None,
        evidence: str | None,
        reopened_days: float | None,
    ) -> None:
        """Rows of a closure in the closed-case register and its three satellite feeds."""
        closed = r.closed
        assert closed is not None
        self.out[CLOSED].append(
            {
                "case_ref": case_ref,
                "reference": r.reference,
                "employee_id": r.employee_id,
                "service_line": r.service_line,
                "manager_line": MANAGER_LINES[r.service_line],
                "closed_at": iso(closed),
                "closure_category": "corrective_action_completed",
                "final_reviewing_role": "near_miss_governance_supervisor",
                "last_employee_communication_at": iso(closed - timedelta(hours=1)),
                "flags": ["delayed_acknowledgment"]
                if r.ack and r.ack - r.submitted > timedelta(days=1)
                else [],
            }
        )
        answered = closed + timedelta(days=2)
        if confirmed is not None and answered < self.as_of:
            self.out[CONFIRMATIONS].append(
                {
                    "case_ref": case_ref,
                    "employee_id": r.employee_id,
                    "confirmed": confirmed,
                    "responded_at": iso(answered),
                    "comment": None if confirmed else "The hazard is still there on my round.",
                }
            )
        if evidence is not None:
            self.out[EVIDENCE].append(
                {
                    "case_ref": case_ref,
                    "evidence_type": evidence,
                    "evidence_ref": None if evidence == "none" else f"EV-{case_ref}",
                    "recorded_at": iso(closed - timedelta(hours=4)),
                }
            )
        if reopened_days is not None and closed + timedelta(days=reopened_days) < self.as_of:
            self.out[REOPENED].append(
                {
                    "case_ref": case_ref,
                    "reopened_at": iso(closed + timedelta(days=reopened_days)),
                    "reason": "Same near miss recurred after closure.",
                }
            )
