"""The demo's hand-built scenarios, one per classification and exception reason of the three
examples, with the keys that exhibit them (``ACK_CASES``, ``LEARNING_CASES``,
``CLOSURE_CASES``), and where each lands relative to as_of."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from cli.demo_common import (
    ACTIONS,
    BULLETINS,
    DOMAINS,
    LOG,
    RECURRENCE,
    REGISTER,
    SERVICE_LINES,
    TRACKER,
    AsOf,
    Edits,
    local,
    previous_month,
)
from cli.demo_rows import Builder, Report, ack_rows, apply_edits, learning_rows


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
ACK_SPECS: tuple[_AckSpec, ...] = (
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

LEARN_SPECS: tuple[tuple[str, dict[str, Any], Edits], ...] = (
    ("learn_visible", {}, {}),
    ("learn_no_corrective_action", {"ca_ref": None}, {}),
    (
        "learn_action_incomplete",
        {},
        {ACTIONS: {"status": "in_progress", "completed_at": None, "due_at": AsOf(timedelta(7))}},
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
CLOSURE_SPECS: tuple[tuple[str, bool | None, str | None, int | None], ...] = (
    ("closure_credible", True, "photo", None),
    ("closure_failed_reopened", True, "audit", 5),
    ("closure_failed_not_confirmed", False, "policy_change", None),
    ("closure_doubtful_no_confirmation", None, "training_record", None),
    ("closure_doubtful_evidence_none", True, "none", None),
    ("closure_doubtful_evidence_missing", True, None, None),
)

FIRST_REF = 10001
_SCENARIO_NAMES = [s.name for s in ACK_SPECS] + [s[0] for s in LEARN_SPECS]
_SCENARIO_NAMES += [s[0] for s in CLOSURE_SPECS] + ["leaver_report"]
SCENARIO_REFERENCES: dict[str, str] = {
    name: f"NM-{FIRST_REF + i}" for i, name in enumerate(_SCENARIO_NAMES)
}
"""Every scenario's near-miss reference (example 3's scenarios have one too)."""

ACK_CASES = {s.name: SCENARIO_REFERENCES[s.name] for s in ACK_SPECS}
"""Example-1 scenario -> near-miss reference."""
LEARNING_CASES = {s[0]: SCENARIO_REFERENCES[s[0]] for s in LEARN_SPECS}
"""Example-2 scenario -> near-miss reference."""
CLOSURE_CASES = {s[0]: f"CC-{i + 1:04d}" for i, s in enumerate(CLOSURE_SPECS)}
"""Example-3 scenario -> closed-case-register ``case_ref``."""
MIN_REPORTS = len(_SCENARIO_NAMES)


def scenario_report(b: Builder, name: str, index: int, submitted: datetime, **kw: Any) -> Report:
    """A scenario's report, by one of the workers, owned by its line's first lead by default."""
    worker = b.staff.workers[index % len(b.staff.workers)]
    reference = SCENARIO_REFERENCES[name]
    assert worker.service_line is not None
    kw.setdefault("owner", b.staff.leads[worker.service_line][0])
    kw.setdefault("ca_ref", f"CA-{reference[3:]}" if kw.get("closed") else None)
    return Report(
        reference=reference,
        employee_id=worker.employee_id,
        service_line=worker.service_line,
        risk_domain=DOMAINS[index % len(DOMAINS)],
        submitted=submitted,
        **kw,
    )


def _last_cycle(today: date, anchor: date) -> tuple[date, date]:
    """The last complete 14-day cycle [start, end) with end on or before ``today``."""
    end = anchor + timedelta(days=14 * ((today - anchor).days // 14))
    return end - timedelta(days=14), end


def ack_scenarios(b: Builder) -> None:
    """Example-1 scenarios: timings relative to as_of, discrepancies by edits."""
    minutes = timedelta(minutes=1)
    for i, spec in enumerate(ACK_SPECS):
        submitted = (b.as_of - spec.age * minutes).replace(second=0, microsecond=0)
        attrs = dict(spec.attrs)
        closed_after = attrs.pop("closed_after", None)
        r = scenario_report(
            b,
            spec.name,
            i,
            submitted,
            ack=None if spec.ack is None else submitted + spec.ack * minutes,
            triage=None if spec.triage is None else submitted + spec.triage * minutes,
            closed=None if closed_after is None else submitted + closed_after * minutes,
            **attrs,
        )
        rows = ack_rows(r)
        apply_edits(rows, spec.edits, b.as_of)
        if r.closed is not None:
            rows.update(learning_rows(r, b.as_of, None))
        b.emit(rows)


def learning_scenarios(b: Builder, anchor: date) -> None:
    """Example-2 scenarios: closed inside the last complete cycle."""
    start, _end = _last_cycle(b.today, anchor)
    for j, (name, attrs, edits) in enumerate(LEARN_SPECS):
        closed = local(start + timedelta(days=1 + j % 10), time(14, j))
        submitted = closed - timedelta(days=4)
        r = scenario_report(
            b,
            name,
            len(ACK_SPECS) + j,
            submitted,
            ack=submitted + timedelta(minutes=45),
            triage=submitted + timedelta(minutes=480),
            closed=closed,
            **attrs,
        )
        rows = ack_rows(r) | learning_rows(r, b.as_of, None)
        apply_edits(rows, edits, b.as_of)
        b.emit(rows)


def closure_scenarios(b: Builder) -> None:
    """Example-3 scenarios: external closures early in the previous month, and the leaver."""
    first, _this_month = previous_month(b.today)
    base = len(ACK_SPECS) + len(LEARN_SPECS)
    for j, (name, confirmed, evidence, reopened) in enumerate(CLOSURE_SPECS):
        closed = local(first + timedelta(days=2 + j), time(15, 0))
        submitted = closed - timedelta(days=6)
        r = scenario_report(
            b,
            name,
            base + j,
            submitted,
            ack=submitted + timedelta(minutes=40),
            triage=submitted + timedelta(minutes=300),
            closed=closed,
        )
        b.emit(ack_rows(r) | learning_rows(r, b.as_of, None))
        b.closed_case(CLOSURE_CASES[name], r, confirmed, evidence, reopened)
    leaver = b.staff.leaver
    assert leaver.left_at is not None and leaver.service_line is not None
    submitted = local(leaver.left_at - timedelta(days=20), time(10, 30))
    reference = SCENARIO_REFERENCES["leaver_report"]
    r = Report(
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
    b.emit(ack_rows(r) | learning_rows(r, b.as_of, None))
