"""A seeded, deterministic demo data set for all fourteen feeds of SOURCES.md.

``generate(seed, reports, as_of)`` returns JSON-ready rows per feed name. The first references are
hand-built scenarios, one per classification and exception reason of the three examples, with
fixed keys listed in ``DEMO_CASES`` (so tests and the README can point at them); the rest is
random background, mostly consistent across feeds. Instants are computed in UTC and written as
``Europe/London`` ISO 8601 strings with their offset. Linear in ``reports``: benchmarks reuse it.

Where each scenario lands (as_of = the instant given to ``generate``):

- example 1 (``ack_*``): submitted within 30 days before as_of, not closed, except the two
  ``ack_out_of_scope_*``; ``ack_exception_*`` are exceptions with the reason in their name.
- example 2 (``learn_*``): closed in the last complete 14-day cycle ending on or before as_of's
  date (cycles counted from ``cycle_anchor``).
- example 3 (``closure_*``, keyed by ``case_ref``): ``closed-case-register`` rows closed in the
  calendar month before as_of's month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from random import Random
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from domain.feeds import RiskDomain
from domain.roles import Role

__all__ = [
    "ACK_CASES",
    "CLOSURE_CASES",
    "CONCERN_CASES",
    "DEMO_CASES",
    "DEMO_STAFF",
    "LEARNING_CASES",
    "MIN_REPORTS",
    "PAST_CLOSURE_CASES",
    "PAST_REPAIRS",
    "RECENT_LEAVERS",
    "SCENARIO_REFERENCES",
    "generate",
]

LONDON = ZoneInfo("Europe/London")
Row = dict[str, Any]
Edits = dict[str, dict[str, Any] | None]  # value: literal, timedelta shift, _AsOf, or callable

PLATFORM, LOG, TRACKER, REGISTER = (
    "incident-platform",
    "workforce-reporting-log",
    "manager-response-tracker",
    "service-line-governance-register",
)
ACTIONS, BULLETINS, RECURRENCE = (
    "corrective-action-tracker",
    "learning-bulletin-log",
    "recurrence-analysis-file",
)
CLOSED, CONFIRMATIONS, REOPENED, EVIDENCE = (
    "closed-case-register",
    "employee-confirmation-form",
    "reopened-risk-tracker",
    "final-action-evidence-library",
)
CONCERNS, SPEAKING_UP, STAFF = (
    "workforce-concern-register",
    "speaking-up-confidence-form",
    "staff-directory",
)
FEED_ORDER: tuple[str, ...] = (PLATFORM, LOG, TRACKER, REGISTER, ACTIONS, BULLETINS, RECURRENCE)
FEED_ORDER += (CLOSED, CONFIRMATIONS, REOPENED, EVIDENCE, CONCERNS, SPEAKING_UP, STAFF)

SERVICE_LINES = ("HC-NORTH", "DN-CITY", "SL-EAST", "HC-SOUTH")
MANAGER_LINES = {
    "HC-NORTH": "ML-NORTH",
    "DN-CITY": "ML-CENTRAL",
    "SL-EAST": "ML-EAST",
    "HC-SOUTH": "ML-CENTRAL",
}
DOMAINS = tuple(d.value for d in RiskDomain)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "medication": ("MED-DOSE", "MED-TIMING", "MED-STOCK"),
    "documentation": ("DOC-MAR", "DOC-CAREPLAN"),
    "route_travel": ("RT-ROAD", "RT-LONE-WORKING"),
    "environmental_access": ("ENV-KEYSAFE", "ENV-HAZARD"),
    "manual_handling": ("MH-HOIST", "MH-TRANSFER"),
    "communication": ("COM-HANDOVER", "COM-ESCALATION"),
}
_FIRST = "Amira Ben Chloe Dev Elena Femi Grace Hassan Isla Jamal Kasia Liam Maya Nadia Owen Priya"
_FIRST += " Quinn Rosa Sam Tariq Uma Victor Wen Yusuf Zara Aled Bronwen Ciaran Daria Eilidh"
_LAST = "Shah Okafor Jones Patel Novak Adeyemi Hughes Khan Murray Ahmed Kowalski Evans Clarke"
_LAST += " Nguyen Reid Campbell Mensah Rossi Taylor Hussain Walsh Price Lewis Byrne Fraser Wright"
FIRST_NAMES, LAST_NAMES = tuple(_FIRST.split()), tuple(_LAST.split())
_GOVERNANCE_ROLES = [r for r in Role if r is not Role.WORKER]
DEMO_STAFF: dict[str, str] = {r.value: f"E{i + 1:04d}" for i, r in enumerate(_GOVERNANCE_ROLES)}
"""Role slug -> the demo employee ID holding it (governance, administrator, inspector)."""


@dataclass(frozen=True, slots=True)
class _Person:
    employee_id: str
    name: tuple[str, str]
    roles: tuple[str, ...]
    service_line: str | None = None
    active: bool = True
    left_at: date | None = None
    started_at: date | None = None


@dataclass(slots=True)
class _Staff:
    people: list[_Person]
    workers: list[_Person]  # active frontline workers: report authors
    leads: dict[str, tuple[str, str]]  # service line -> its two triage owners
    leaver: _Person
    leavers: list[_Person]  # the recent leavers of _LEAVER_SPECS, in its order


# Workers who left in the last weeks, each with one report of the last month (ID, name, service
# line, left and started days before as_of, report submitted days before as_of, minutes to
# acknowledge): the first two were acknowledged late (about 25 and 50 hours: the daily reviews
# class the reports emerging and critical while they are open, so both workers were exposed to
# weak response before leaving); the third was acknowledged within the hour (not exposed).
_LEAVER_SPECS: tuple[tuple[str, tuple[str, str], str, int, int, int, int], ...] = (
    ("E0092", ("Nia", "Barker"), "HC-SOUTH", 6, 1100, 25, 1500),
    ("E0093", ("Tomasz", "Wood"), "DN-CITY", 3, 420, 20, 3000),
    ("E0094", ("Ruth", "Ellis"), "SL-EAST", 10, 900, 22, 40),
)
RECENT_LEAVERS = {spec[0]: f"NM-{9801 + i}" for i, spec in enumerate(_LEAVER_SPECS)}
"""Recent leaver's employee ID -> the reference of their report (one each)."""


def _make_staff(rng: Random, n_workers: int, today: date) -> _Staff:
    """Governance staff with fixed IDs, two team leads per service line, workers, a leaver."""
    people = [
        _Person(DEMO_STAFF[r.value], (FIRST_NAMES[i], LAST_NAMES[i]), (r.value,))
        for i, r in enumerate(_GOVERNANCE_ROLES)
    ]
    leads: dict[str, tuple[str, str]] = {}
    for i, line in enumerate(SERVICE_LINES):
        leads[line] = (f"E01{i}1", f"E01{i}2")  # last digit 1/2: see _other_owner
        for k, lead in enumerate(leads[line]):
            name = (FIRST_NAMES[-1 - 2 * i - k], LAST_NAMES[-1 - 2 * i - k])
            people.append(_Person(lead, name, (Role.WORKER.value,), line))
    leaver = _Person(
        "E0091", ("Leah", "Morgan"), ("worker",), "HC-NORTH", False, today - timedelta(days=12),
        today - timedelta(days=700),
    )  # fmt: skip
    leavers = [
        _Person(eid, name, ("worker",), line, False, today - timedelta(days=left),
                today - timedelta(days=started))
        for eid, name, line, left, started, *_report in _LEAVER_SPECS
    ]  # fmt: skip
    people += [
        leaver,
        *leavers,
        _Person("E0090", ("Iris", "Doyle"), (_GOVERNANCE_ROLES[0].value,), active=False),
    ]
    workers = [
        _Person(
            f"E{1001 + i}",
            (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)),
            (Role.WORKER.value,),
            SERVICE_LINES[i % len(SERVICE_LINES)],
            # Joining dates spread over three years; every ninth worker joined this month.
            started_at=today - timedelta(days=(5 + i % 20) if i % 9 == 8 else 60 + (i * 37) % 1000),
        )
        for i in range(n_workers)
    ]
    return _Staff(people + workers, workers, leads, leaver, leavers)


def _staff_rows(staff: _Staff) -> list[Row]:
    """Staff-directory rows; emails are first.last, numbered when two people share a name."""
    seen: dict[str, int] = {}
    rows: list[Row] = []
    for p in staff.people:
        local = f"{p.name[0]}.{p.name[1]}".lower()
        seen[local] = seen.get(local, 0) + 1
        suffix = "" if seen[local] == 1 else str(seen[local])
        rows.append(
            {
                "employee_id": p.employee_id,
                "display_name": f"{p.name[0]} {p.name[1]}",
                "email": f"{local}{suffix}@example-care.org.uk",
                "roles": list(p.roles),
                "service_line": p.service_line,
                "manager_line": MANAGER_LINES.get(p.service_line or ""),
                "active": p.active,
                "started_at": None if p.started_at is None else p.started_at.isoformat(),
                "left_at": None if p.left_at is None else p.left_at.isoformat(),
            }
        )
    return rows


class _AsOf(NamedTuple):
    """An edit value meaning ``as_of + delta``."""

    delta: timedelta


class _AckSpec(NamedTuple):
    name: str
    age: float  # minutes from submission to as_of
    ack: float | None  # minutes from submission to first acknowledgment
    triage: float | None  # minutes from submission to triage completion
    attrs: dict[str, Any] = {}
    edits: Edits = {}


def _other_owner(owner: str) -> str:
    return owner[:-1] + ("2" if owner.endswith("1") else "1")


def _other_line(line: str) -> str:
    return SERVICE_LINES[(SERVICE_LINES.index(line) + 1) % len(SERVICE_LINES)]


def _other_employee(employee_id: str) -> str:
    return f"E{int(employee_id[1:]) + 1}"


def _other_domain(domain: str) -> str:
    return DOMAINS[(DOMAINS.index(domain) + 1) % len(DOMAINS)]


_OK = (30.0, 600.0)  # acknowledged and triaged well within tolerance
_ACK_SPECS: tuple[_AckSpec, ...] = (
    _AckSpec("ack_within_tolerance", 6000, *_OK),
    _AckSpec("ack_boundary_1440", 5000, 1440.5, 2000),  # 1440 min 30 s is 1440: not late
    _AckSpec("ack_emerging_ack", 7000, 1500, 2500),
    _AckSpec("ack_emerging_no_ack_yet", 2000, None, None),
    _AckSpec("ack_emerging_triage", 9000, 60, 5000),
    _AckSpec("ack_emerging_no_owner", 4000, *_OK, {"owner": None}),
    _AckSpec("ack_critical_ack", 8000, 3000, 3500),
    _AckSpec("ack_critical_triage", 11520, 60, None),
    _AckSpec("ack_critical_unsafe", 2600, 1500, None, {"unsafe": True}),
    _AckSpec("ack_exception_missing_reporting_log", 5500, *_OK, edits={LOG: None}),
    _AckSpec("ack_exception_missing_manager_tracker", 5600, *_OK, edits={TRACKER: None}),
    _AckSpec("ack_exception_missing_governance_register", 5700, *_OK, edits={REGISTER: None}),
    _AckSpec(
        "ack_exception_submitted_at_61s",
        5800,
        *_OK,
        edits={LOG: {"submitted_at": timedelta(seconds=61)}},
    ),
    _AckSpec(
        "ack_agrees_submitted_at_59s",
        5900,
        *_OK,
        edits={LOG: {"submitted_at": timedelta(seconds=59)}},
    ),
    _AckSpec(
        "ack_exception_first_acknowledged_at",
        6100,
        *_OK,
        edits={LOG: {"first_acknowledged_at": timedelta(minutes=10)}},
    ),
    _AckSpec("ack_exception_owner", 6200, *_OK, edits={TRACKER: {"triage_owner_id": _other_owner}}),
    _AckSpec("ack_exception_status", 6300, *_OK, edits={TRACKER: {"triage_status": "in_triage"}}),
    _AckSpec(
        "ack_exception_service_line",
        6400,
        *_OK,
        edits={REGISTER: {"service_line": _other_line}},
    ),
    _AckSpec("ack_exception_employee", 6500, *_OK, edits={LOG: {"employee_id": _other_employee}}),
    _AckSpec(
        "ack_exception_several",
        6600,
        *_OK,
        edits={REGISTER: None, LOG: {"submitted_at": timedelta(minutes=5)}},
    ),
    _AckSpec("ack_out_of_scope_closed", 7200, 3000, 4000, {"closed_after": 5000}),
    _AckSpec("ack_out_of_scope_old", 40 * 1440, 3000, 3600),
)

_LEARN_SPECS: tuple[tuple[str, dict[str, Any], Edits], ...] = (
    ("learn_visible", {}, {}),
    ("learn_no_corrective_action", {"ca_ref": None}, {}),
    (
        "learn_action_incomplete",
        {},
        {ACTIONS: {"status": "in_progress", "completed_at": None, "due_at": _AsOf(timedelta(7))}},
    ),
    ("learn_action_completed_after_closure", {}, {ACTIONS: {"completed_at": timedelta(days=3)}}),
    ("learn_no_feedback", {}, {BULLETINS: {"feedback_to_reporter_at": None}}),
    ("learn_no_bulletin", {}, {BULLETINS: {"bulletin_id": None, "bulletin_issued_at": None}}),
    (
        "learn_recurrence",
        {},
        {RECURRENCE: {"recurrence_within_30_days": True, "repeat_count_same_domain": 1}},
    ),
    (
        "learn_recurrence_repeated",
        {},
        {RECURRENCE: {"recurrence_within_30_days": True, "repeat_count_same_domain": 2}},
    ),
    (
        "learn_action_overdue",
        {},
        {ACTIONS: {"status": "open", "completed_at": None, "due_at": timedelta(days=-6)}},
    ),
    (
        "learn_no_feedback_no_bulletin",
        {},
        {
            BULLETINS: {
                "feedback_to_reporter_at": None,
                "bulletin_id": None,
                "bulletin_issued_at": None,
            }
        },
    ),
    ("learn_exception_missing_bulletin", {}, {BULLETINS: None}),
    ("learn_exception_missing_recurrence", {}, {RECURRENCE: None}),
    ("learn_exception_missing_action", {}, {ACTIONS: None}),
    ("learn_exception_risk_domain", {}, {BULLETINS: {"risk_domain": _other_domain}}),
    (
        "learn_exception_action_ref",
        {},
        {RECURRENCE: {"corrective_action_ref": lambda ref: f"{ref}-X"}},
    ),
)

# name -> (confirmed: True/False/None = no form; evidence type, None = no row; reopened after days)
_CLOSURE_SPECS: tuple[tuple[str, bool | None, str | None, int | None], ...] = (
    ("closure_credible", True, "photo", None),
    ("closure_failed_reopened", True, "audit", 5),
    ("closure_failed_not_confirmed", False, "policy_change", None),
    ("closure_doubtful_no_confirmation", None, "training_record", None),
    ("closure_doubtful_evidence_none", True, "none", None),
    ("closure_doubtful_evidence_missing", True, None, None),
)

_FIRST_REF = 10001
_SCENARIO_NAMES = [s.name for s in _ACK_SPECS] + [s[0] for s in _LEARN_SPECS]
_SCENARIO_NAMES += [s[0] for s in _CLOSURE_SPECS] + ["leaver_report"]
SCENARIO_REFERENCES: dict[str, str] = {
    name: f"NM-{_FIRST_REF + i}" for i, name in enumerate(_SCENARIO_NAMES)
}
"""Every scenario's near-miss reference (example 3's scenarios have one too)."""

ACK_CASES = {s.name: SCENARIO_REFERENCES[s.name] for s in _ACK_SPECS}
"""Example-1 scenario -> near-miss reference."""
LEARNING_CASES = {s[0]: SCENARIO_REFERENCES[s[0]] for s in _LEARN_SPECS}
"""Example-2 scenario -> near-miss reference."""
CLOSURE_CASES = {s[0]: f"CC-{i + 1:04d}" for i, s in enumerate(_CLOSURE_SPECS)}
"""Example-3 scenario -> closed-case-register ``case_ref``."""
DEMO_CASES: dict[str, str] = {**ACK_CASES, **LEARNING_CASES, **CLOSURE_CASES}
"""Scenario name -> the key that exhibits it (reference, or case_ref for ``closure_*``)."""
MIN_REPORTS = len(_SCENARIO_NAMES)


@lru_cache(maxsize=16_384)
def _london_offset(hour: int) -> tuple[timedelta, str]:
    """London's UTC offset and its ISO suffix during an hour (counted from 0001-01-01 UTC)."""
    start = datetime.fromordinal(hour // 24).replace(hour=hour % 24, tzinfo=UTC)
    local = start.astimezone(LONDON)
    return local.utcoffset() or timedelta(0), local.isoformat()[19:]


def _iso(instant: datetime | None) -> str | None:
    """ISO 8601 in London time; ``instant`` must be UTC-aware, as every instant here is."""
    if instant is None:
        return None
    # Caching the offset per hour is ~2x faster than astimezone(): benchmarks generate millions.
    offset, suffix = _london_offset(instant.toordinal() * 24 + instant.hour)
    return (instant + offset).isoformat()[:-6] + suffix


def _int(rng: Random, low: int, high: int) -> int:
    """Uniform in [low, high]; several times faster than ``Random.randint``."""
    return low + int(rng.random() * (high - low + 1))


def _local(day: date, at: time) -> datetime:
    """The UTC instant of a London wall-clock time on a day."""
    return datetime.combine(day, at, LONDON).astimezone(UTC)


@dataclass(slots=True)
class _Report:
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


def _ack_rows(r: _Report) -> dict[str, Row]:
    """The four example-1 rows of a report, all consistent."""
    common = {
        "reference": r.reference,
        "employee_id": r.employee_id,
        "service_line": r.service_line,
    }
    submitted, ack = _iso(r.submitted), _iso(r.ack)
    last = r.closed or r.triage or r.ack or r.submitted  # events happen in this order
    platform = {
        **common,
        "client_id": r.client_id,
        "risk_domain": r.risk_domain,
        "category_code": r.category_code or CATEGORIES[r.risk_domain][0],
        "submitted_at": submitted,
        "first_acknowledged_at": ack,
        "triage_completed_at": _iso(r.triage),
        "triage_status": r.status,
        "triage_owner_id": r.owner,
        "recurrence_risk": r.recurrence_risk,
        "unsafe_condition_active": r.unsafe,
        "closed_at": _iso(r.closed),
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
            "triage_owner_assigned_at": _iso(r.ack or last) if r.owner else None,
            "triage_status": r.status,
            "manager_reviewed": r.manager_reviewed,
            "updated_at": _iso(last),
        },
        REGISTER: {
            **common,
            "manager_line": MANAGER_LINES[r.service_line],
            "triage_owner_id": r.owner,
            "risk_domain": r.risk_domain,
        },
    }


def _learning_rows(r: _Report, as_of: datetime, noise: Random | None) -> dict[str, Row]:
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
            completed = closed + timedelta(hours=_int(noise, 2, 72))
        wider = noise.random() < 0.35
        feedback = (
            None if noise.random() < 0.12 else closed + timedelta(minutes=_int(noise, 30, 2880))
        )
        if noise.random() < 0.15:
            issued = None
        within_30 = noise.random() < 0.1
        repeat = _int(noise, 1, 3) if within_30 else _int(noise, 0, 1)
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
            "feedback_to_reporter_at": _iso(feedback),
            "bulletin_id": None if issued is None else f"LB-{issued.astimezone(LONDON):%Y%m%d}",
            "bulletin_issued_at": _iso(issued),
        },
        RECURRENCE: {
            "reference": r.reference,
            "risk_domain": r.risk_domain,
            "corrective_action_ref": r.ca_ref,
            "recurrence_within_30_days": within_30,
            "repeat_count_same_domain": repeat,
            "analysed_at": _iso(analysed),
        },
    }
    if r.ca_ref is not None:
        rows[ACTIONS] = {
            "corrective_action_ref": r.ca_ref,
            "reference": r.reference,
            "risk_domain": r.risk_domain,
            "status": status,
            "due_at": _iso(due),
            "completed_at": _iso(completed),
        }
    return rows


def _apply(rows: dict[str, Row], edits: Edits, as_of: datetime) -> None:
    """Apply a scenario's deliberate discrepancies (None drops the feed's row)."""
    for feed, change in edits.items():
        if change is None:
            rows.pop(feed, None)
            continue
        row = rows[feed]
        for key, value in change.items():
            if isinstance(value, _AsOf):
                row[key] = _iso(as_of + value.delta)
            elif isinstance(value, timedelta):
                row[key] = _iso(datetime.fromisoformat(row[key]).astimezone(UTC) + value)
            elif callable(value):
                row[key] = value(row[key])
            else:
                row[key] = value


class _Builder:
    """Accumulates rows per feed; one instance per ``generate`` call."""

    def __init__(self, rng: Random, as_of: datetime, staff: _Staff) -> None:
        self.rng, self.as_of, self.staff = rng, as_of, staff
        self.out: dict[str, list[Row]] = {feed: [] for feed in FEED_ORDER}
        self.today = as_of.astimezone(LONDON).date()
        # Midnights of the last 130 days, so random instants need no time-zone conversion.
        self.midnight = [_local(self.today - timedelta(days=d), time(0)) for d in range(131)]

    def working_time(self, days_ago: int) -> datetime:
        """A random instant between about 07:00 and 20:00 London time, ``days_ago`` days ago."""
        return self.midnight[days_ago] + timedelta(seconds=_int(self.rng, 25_200, 71_999))

    def emit(self, rows: dict[str, Row]) -> None:
        for feed, row in rows.items():
            self.out[feed].append(row)

    def scenario_report(self, name: str, index: int, submitted: datetime, **kw: Any) -> _Report:
        worker = self.staff.workers[index % len(self.staff.workers)]
        reference = SCENARIO_REFERENCES[name]
        assert worker.service_line is not None
        kw.setdefault("owner", self.staff.leads[worker.service_line][0])
        kw.setdefault("ca_ref", f"CA-{reference[3:]}" if kw.get("closed") else None)
        return _Report(
            reference=reference,
            employee_id=worker.employee_id,
            service_line=worker.service_line,
            risk_domain=DOMAINS[index % len(DOMAINS)],
            submitted=submitted,
            **kw,
        )

    def closed_case(
        self,
        case_ref: str,
        r: _Report,
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
                "closed_at": _iso(closed),
                "closure_category": "corrective_action_completed",
                "final_reviewing_role": "near_miss_governance_supervisor",
                "last_employee_communication_at": _iso(closed - timedelta(hours=1)),
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
                    "responded_at": _iso(answered),
                    "comment": None if confirmed else "The hazard is still there on my round.",
                }
            )
        if evidence is not None:
            self.out[EVIDENCE].append(
                {
                    "case_ref": case_ref,
                    "evidence_type": evidence,
                    "evidence_ref": None if evidence == "none" else f"EV-{case_ref}",
                    "recorded_at": _iso(closed - timedelta(hours=4)),
                }
            )
        if reopened_days is not None and closed + timedelta(days=reopened_days) < self.as_of:
            self.out[REOPENED].append(
                {
                    "case_ref": case_ref,
                    "reopened_at": _iso(closed + timedelta(days=reopened_days)),
                    "reason": "Same near miss recurred after closure.",
                }
            )


def _last_cycle(today: date, anchor: date) -> tuple[date, date]:
    """The last complete 14-day cycle [start, end) with end on or before ``today``."""
    end = anchor + timedelta(days=14 * ((today - anchor).days // 14))
    return end - timedelta(days=14), end


def _previous_month(today: date) -> tuple[date, date]:
    """[first day of the previous month, first day of this month)."""
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1), first


def _ack_scenarios(b: _Builder) -> None:
    """Example-1 scenarios: timings relative to as_of, discrepancies by edits."""
    minutes = timedelta(minutes=1)
    for i, spec in enumerate(_ACK_SPECS):
        submitted = (b.as_of - spec.age * minutes).replace(second=0, microsecond=0)
        attrs = dict(spec.attrs)
        closed_after = attrs.pop("closed_after", None)
        r = b.scenario_report(
            spec.name,
            i,
            submitted,
            ack=None if spec.ack is None else submitted + spec.ack * minutes,
            triage=None if spec.triage is None else submitted + spec.triage * minutes,
            closed=None if closed_after is None else submitted + closed_after * minutes,
            **attrs,
        )
        rows = _ack_rows(r)
        _apply(rows, spec.edits, b.as_of)
        if r.closed is not None:
            rows.update(_learning_rows(r, b.as_of, None))
        b.emit(rows)


def _learning_scenarios(b: _Builder, anchor: date) -> None:
    """Example-2 scenarios: closed inside the last complete cycle."""
    start, _end = _last_cycle(b.today, anchor)
    for j, (name, attrs, edits) in enumerate(_LEARN_SPECS):
        closed = _local(start + timedelta(days=1 + j % 10), time(14, j))
        submitted = closed - timedelta(days=4)
        r = b.scenario_report(
            name,
            len(_ACK_SPECS) + j,
            submitted,
            ack=submitted + timedelta(minutes=45),
            triage=submitted + timedelta(minutes=480),
            closed=closed,
            **attrs,
        )
        rows = _ack_rows(r) | _learning_rows(r, b.as_of, None)
        _apply(rows, edits, b.as_of)
        b.emit(rows)


def _closure_scenarios(b: _Builder) -> None:
    """Example-3 scenarios: external closures early in the previous month, and the leaver."""
    first, _this_month = _previous_month(b.today)
    base = len(_ACK_SPECS) + len(_LEARN_SPECS)
    for j, (name, confirmed, evidence, reopened) in enumerate(_CLOSURE_SPECS):
        closed = _local(first + timedelta(days=2 + j), time(15, 0))
        submitted = closed - timedelta(days=6)
        r = b.scenario_report(
            name,
            base + j,
            submitted,
            ack=submitted + timedelta(minutes=40),
            triage=submitted + timedelta(minutes=300),
            closed=closed,
        )
        b.emit(_ack_rows(r) | _learning_rows(r, b.as_of, None))
        b.closed_case(CLOSURE_CASES[name], r, confirmed, evidence, reopened)
    leaver = b.staff.leaver
    assert leaver.left_at is not None and leaver.service_line is not None
    submitted = _local(leaver.left_at - timedelta(days=20), time(10, 30))
    reference = SCENARIO_REFERENCES["leaver_report"]
    r = _Report(
        reference,
        leaver.employee_id,
        leaver.service_line,
        "route_travel",
        submitted,
        ack=submitted + timedelta(minutes=2000),
        triage=submitted + timedelta(minutes=3000),
        owner=b.staff.leads[leaver.service_line][0],
        closed=submitted + timedelta(days=4),
        ca_ref=f"CA-{reference[3:]}",
    )
    b.emit(_ack_rows(r) | _learning_rows(r, b.as_of, None))


def _leaver_reports(b: _Builder) -> None:
    """One report of each recent leaver (NM-9801 ...), triaged and still open (the daily reviews
    read reports not closed)."""
    for i, (person, spec) in enumerate(zip(b.staff.leavers, _LEAVER_SPECS, strict=True)):
        days_ago, ack_minutes = spec[5], spec[6]
        assert person.service_line is not None
        submitted = _local(b.today - timedelta(days=days_ago), time(10, 30))
        ack = submitted + timedelta(minutes=ack_minutes)
        reference = RECENT_LEAVERS[person.employee_id]
        r = _Report(
            reference,
            person.employee_id,
            person.service_line,
            DOMAINS[(2 + i) % len(DOMAINS)],
            submitted,
            ack=ack,
            triage=ack + timedelta(minutes=500),
            owner=b.staff.leads[person.service_line][0],
        )
        b.emit(_ack_rows(r))


# Closures of the two months before last month (months back, name, confirmed, evidence, reopened
# after days): the demo's past closure reviews (store/demo_history.py) classify them and two of
# them are past repairs (store/demo_cases.py).
_PAST_CLOSURE_SPECS: tuple[tuple[int, str, bool | None, str | None, int | None], ...] = (
    (3, "past_credible_photo", True, "photo", None),
    (3, "past_failed_reopened", True, "audit", 4),
    (3, "past_doubtful_evidence_none", True, "none", None),
    (3, "past_credible_risk_assessment", True, "risk_assessment", None),
    (2, "past_credible_training", True, "training_record", None),
    (2, "past_failed_not_confirmed", False, "photo", None),
    (2, "past_doubtful_no_confirmation", None, "policy_change", None),
    (2, "past_credible_audit", True, "audit", None),
)
PAST_CLOSURE_CASES = {
    name: f"CC-9{i + 1:03d}" for i, (_, name, *_r) in enumerate(_PAST_CLOSURE_SPECS)
}
"""Past closure scenario -> ``case_ref`` (closed two or three months before as_of's month)."""
PAST_REPAIRS = {"failed": "CC-9002", "doubtful": "CC-9003"}
"""The past closures carried through a repair (store/demo_cases.py): failed and doubtful."""


def _months_back(today: date, n: int) -> date:
    """The first day of the month ``n`` months before ``today``'s."""
    first = today.replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _past_closures(b: _Builder) -> None:
    """Closures of the two months before last month, each with its report in every feed."""
    for i, (back, name, confirmed, evidence, reopened) in enumerate(_PAST_CLOSURE_SPECS):
        first = _months_back(b.today, back)
        closed = _local(first + timedelta(days=3 + 2 * i), time(14, 30))
        submitted = closed - timedelta(days=5)
        worker = b.staff.workers[(3 * i + 1) % len(b.staff.workers)]
        assert worker.service_line is not None
        reference = f"NM-{9901 + i}"
        r = _Report(
            reference,
            worker.employee_id,
            worker.service_line,
            DOMAINS[i % len(DOMAINS)],
            submitted,
            ack=submitted + timedelta(minutes=50),
            triage=submitted + timedelta(minutes=400),
            owner=b.staff.leads[worker.service_line][i % 2],
            closed=closed,
            ca_ref=f"CA-{reference[3:]}",
        )
        b.emit(_ack_rows(r) | _learning_rows(r, b.as_of, None))
        b.closed_case(PAST_CLOSURE_CASES[name], r, confirmed, evidence, reopened)


def _random_report(b: _Builder, reference: str) -> _Report:
    """A background report: mostly prompt, sometimes late, usually closed once old enough."""
    rng, as_of, minute = b.rng, b.as_of, timedelta(minutes=1)
    worker = b.staff.workers[int(rng.random() * len(b.staff.workers))]
    line = worker.service_line
    assert line is not None
    domain = DOMAINS[int(rng.random() * len(DOMAINS))]
    submitted = b.working_time(_int(rng, 1, 60))
    x = rng.random()
    # seconds to acknowledge: 92% within 12 h, 6% between 1 and 2 days, 2% over 2 days
    late = 43_020 * x if x < 0.92 else 86_460 + 86_340 * rng.random()
    late += 180 if x < 0.92 else (0 if x < 0.98 else 86_400)
    ack: datetime | None = submitted + timedelta(seconds=int(late))
    ack = ack if ack is not None and ack < as_of else None
    triage = closed = None
    if ack is not None:
        slow = rng.random() < 0.1
        triage = ack + (_int(rng, 3000, 6000) if slow else _int(rng, 30, 2800)) * minute
        triage = triage if triage < as_of else None
    if triage is not None and rng.random() < 0.75:
        closed = triage + _int(rng, 600, 12_000) * minute
        closed = closed if closed < as_of else None
    categories = CATEGORIES[domain]
    return _Report(
        reference,
        worker.employee_id,
        line,
        domain,
        submitted,
        ack,
        triage,
        owner=b.staff.leads[line][rng.random() < 0.5] if rng.random() < 0.96 else None,
        closed=closed,
        ca_ref=f"CA-{reference[3:]}" if closed and rng.random() < 0.85 else None,
        unsafe=closed is None and rng.random() < 0.05,
        recurrence_risk=rng.random() < 0.2,
        manager_reviewed=rng.random() < 0.9,
        category_code=categories[int(rng.random() * len(categories))],
        client_id=f"CL-{_int(rng, 1000, 9999)}" if rng.random() < 0.7 else None,
    )


_EVIDENCE = ("photo", "audit", "policy_change", "training_record", "risk_assessment", "none")


def _background(b: _Builder, count: int) -> None:
    """Random reports after the scenarios; some of last month's closures enter the register."""
    rng, as_of = b.rng, b.as_of
    month_start, month_end = (_local(d, time(0)) for d in _previous_month(b.today))
    jitter: Edits = {LOG: {"submitted_at": timedelta(0)}}
    case_number = len(_CLOSURE_SPECS)
    for n in range(count):
        r = _random_report(b, f"NM-{_FIRST_REF + MIN_REPORTS + n}")
        rows = _ack_rows(r)
        if rng.random() < 0.1:  # clocks of source systems differ by seconds: still agreeing
            jitter[LOG]["submitted_at"] = timedelta(seconds=_int(rng, 1, 20))  # type: ignore[index]
            _apply(rows, jitter, as_of)
        if r.closed is None:
            b.emit(rows)
            continue
        b.emit(rows | _learning_rows(r, as_of, rng))
        if month_start <= r.closed < month_end and rng.random() < 0.4:
            case_number += 1
            confirmed = None if rng.random() < 0.2 else rng.random() < 0.85
            evidence = None if rng.random() < 0.08 else _EVIDENCE[_int(rng, 0, 5)]
            reopened = 40 * rng.random() if rng.random() < 0.05 else None
            b.closed_case(f"CC-{case_number:04d}", r, confirmed, evidence, reopened)


CONCERN_CASES = {"concern_open": "WC-0001", "concern_closed": "WC-0002"}
"""Concerns of the workers of ``ack_critical_ack`` (open) and ``ack_emerging_ack`` (closed)."""
DEMO_CASES.update(CONCERN_CASES)


def _concerns(b: _Builder, count: int) -> None:
    """Workforce concerns: two fixed ones, then random open and closed ones."""
    rng, workers, names = b.rng, b.staff.workers, [s.name for s in _ACK_SPECS]
    fixed = [
        (workers[names.index("ack_critical_ack") % len(workers)], "wellbeing", 20, None),
        (workers[names.index("ack_emerging_ack") % len(workers)], "safety", 50, 10),
    ]
    for _ in range(count):
        closes = rng.randint(1, 40) if rng.random() < 0.5 else None
        fixed.append(
            (
                workers[rng.randrange(len(workers))],
                rng.choice(("wellbeing", "safety", "fairness", "workload")),
                rng.randint(1, 120),
                closes,
            )
        )
    for n, (worker, kind, days_ago, closes_after) in enumerate(fixed, start=1):
        opened = _local(b.today - timedelta(days=days_ago), time(11, n % 60))
        closed = None if closes_after is None else opened + timedelta(days=closes_after)
        closed = closed if closed is not None and closed < b.as_of else None
        b.out[CONCERNS].append(
            {
                "concern_id": f"WC-{n:04d}",
                "employee_id": worker.employee_id,
                "concern_type": kind,
                "status": "open" if closed is None else "closed",
                "opened_at": _iso(opened),
                "closed_at": _iso(closed),
            }
        )


_SCORES = (1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5)  # skewed towards 3-4


def _speaking_up(b: _Builder, count: int) -> None:
    """Speaking-up confidence responses over the last 60 days (scores skew to 3-4)."""
    rng, workers = b.rng, b.staff.workers
    for n in range(1, count + 1):
        worker = workers[int(rng.random() * len(workers))]
        b.out[SPEAKING_UP].append(
            {
                "response_id": f"SU-{n:06d}",
                "employee_id": worker.employee_id,
                "service_line": worker.service_line,
                "risk_domain": DOMAINS[int(rng.random() * len(DOMAINS))],
                "score": _SCORES[int(rng.random() * len(_SCORES))],
                "submitted_at": _iso(b.working_time(_int(rng, 1, 60)).replace(second=0)),
                "comment": "Felt listened to." if rng.random() < 0.1 else None,
            }
        )


def generate(
    seed: int, reports: int, as_of: datetime, cycle_anchor: date = date(2026, 1, 5)
) -> dict[str, list[Row]]:
    """Rows per feed (JSON-ready, every feed present) for ``reports`` near misses; pure, seeded."""
    if as_of.tzinfo is None:
        raise ValueError("as_of needs a time zone")
    if reports < MIN_REPORTS:
        raise ValueError(f"reports must be at least {MIN_REPORTS} (one per scenario)")
    as_of = as_of.astimezone(UTC)
    rng = Random(seed)
    today = as_of.astimezone(LONDON).date()
    b = _Builder(rng, as_of, _make_staff(rng, max(30, reports // 8), today))
    _ack_scenarios(b)
    _learning_scenarios(b, cycle_anchor)
    _closure_scenarios(b)
    _past_closures(b)
    _leaver_reports(b)
    _background(b, reports - MIN_REPORTS)
    _concerns(b, max(8, len(b.staff.workers) // 6))
    _speaking_up(b, max(30, reports // 3))
    b.out[STAFF] = _staff_rows(b.staff)
    return b.out
