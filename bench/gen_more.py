"""Fast generators of example-2 and example-3 feed rows for the review benchmarks.

``learning(n)``: ``n`` reports closed inside one 14-day cycle (plus a quarter as many closed
before it), each with its bulletin, recurrence and corrective-action rows; about 4% are
exceptions (a row missing or disagreeing), 5% have a second action naming them.
``credibility(n)``: ``n`` closed-case-register rows closed inside one month (plus a quarter as
many outside it) with confirmations (75%), reopenings (10%) and evidence (80%).
Each yields ``(feed, key, content)`` rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

from bench.gen import DOMAINS, LINES, iso

Row = tuple[str, str, dict[str, Any]]

CYCLE = date(2026, 11, 2)
WINDOW = (datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
AUDIT_AS_OF = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
MONTH, ZONE = "2026-11", "Europe/London"
MONTH_START = datetime(2026, 11, 1, tzinfo=UTC)  # London is on GMT in November
_CYCLE_S, _MONTH_S = 14 * 86_400, 30 * 86_400
_STATUSES = ("complete", "complete", "complete", "open", "in_progress", "cancelled")


def _learning_report(n: int, rng: Random, *, inside: bool) -> Iterator[Row]:
    ref, car = f"NM-{n:08d}", f"CA-{n:08d}" if rng.random() < 0.9 else None
    span = _CYCLE_S if inside else -60 * 86_400
    closed = WINDOW[0] + timedelta(seconds=int(rng.random() * span))
    domain = DOMAINS[n % 5]
    yield (
        "incident-platform",
        ref,
        {
            "reference": ref,
            "employee_id": f"E{n % 5000:05d}",
            "service_line": LINES[n % 4],
            "client_id": None,
            "risk_domain": domain,
            "category_code": f"{domain[:3].upper()}-{n % 3}",
            "submitted_at": iso(closed - timedelta(days=9), rng),
            "first_acknowledged_at": None,
            "triage_completed_at": iso(closed - timedelta(days=2), rng),
            "triage_status": "closed",
            "triage_owner_id": f"L{n % 97:03d}",
            "recurrence_risk": rng.random() < 0.2,
            "unsafe_condition_active": False,
            "closed_at": iso(closed, rng),
            "corrective_action_ref": car,
            "narrative": "Near miss reported.",
        },
    )
    odd = rng.random() < 0.04
    wider = rng.random() < 0.3
    issued = wider and rng.random() < 0.5
    if not (odd and rng.random() < 0.3):
        yield (
            "learning-bulletin-log",
            ref,
            {
                "reference": ref,
                "risk_domain": "communication" if odd and rng.random() < 0.5 else domain,
                "corrective_action_ref": car,
                "wider_relevance": wider,
                "feedback_to_reporter_at": iso(closed, rng) if rng.random() < 0.85 else None,
                "bulletin_id": f"B-{n}" if issued else None,
                "bulletin_issued_at": iso(closed, rng) if issued else None,
            },
        )
    if not (odd and rng.random() < 0.3):
        yield (
            "recurrence-analysis-file",
            ref,
            {
                "reference": ref,
                "risk_domain": domain,
                "corrective_action_ref": car,
                "recurrence_within_30_days": rng.random() < 0.1,
                "repeat_count_same_domain": int(rng.random() * 4),
                "analysed_at": iso(closed, rng),
            },
        )
    actions = [car] if car and not (odd and rng.random() < 0.3) else []
    actions += [f"CA-{n:08d}-x"] if rng.random() < 0.05 else []
    for key in actions:
        status = rng.choice(_STATUSES)
        done = closed - timedelta(hours=rng.random() * 200 - 20)
        yield (
            "corrective-action-tracker",
            key,
            {
                "corrective_action_ref": key,
                "reference": ref,
                "risk_domain": domain,
                "status": status,
                "due_at": iso(AUDIT_AS_OF + timedelta(days=rng.random() * 20 - 10), rng),
                "completed_at": iso(done, rng) if status == "complete" else None,
            },
        )


def learning(in_window: int, seed: int = 11) -> Iterator[Row]:
    """``in_window`` reports closed in the cycle, then ``in_window // 4`` closed before it."""
    rng = Random(seed)
    for n in range(in_window + in_window // 4):
        yield from _learning_report(n, rng, inside=n < in_window)


def _closure(n: int, rng: Random, *, inside: bool) -> Iterator[Row]:
    ref = f"CC-{n:08d}"
    offset = rng.random() * _MONTH_S if inside else -rng.random() * _MONTH_S
    closed = MONTH_START + timedelta(seconds=int(offset))
    employee = f"E{n % 5000:05d}"
    yield (
        "closed-case-register",
        ref,
        {
            "case_ref": ref,
            "reference": f"NM-{n:08d}",
            "employee_id": employee,
            "service_line": LINES[n % 4],
            "manager_line": f"ML-{n % 7}",
            "closed_at": iso(closed, rng),
            "closure_category": "corrective_action_completed",
            "final_reviewing_role": "near_miss_governance_supervisor",
            "last_employee_communication_at": None,
            "flags": ["weak_triage"] if rng.random() < 0.2 else [],
        },
    )
    if rng.random() < 0.75:
        other = rng.random() < 0.04
        yield (
            "employee-confirmation-form",
            ref,
            {
                "case_ref": ref,
                "employee_id": "E99999" if other else employee,
                "confirmed": rng.random() < 0.85,
                "responded_at": iso(closed + timedelta(days=3), rng),
                "comment": None,
            },
        )
    if rng.random() < 0.1:
        later = timedelta(seconds=int((rng.random() * 61 - 1) * 86_400))
        yield (
            "reopened-risk-tracker",
            ref,
            {"case_ref": ref, "reopened_at": iso(closed + later, rng), "reason": "again"},
        )
    if rng.random() < 0.8:
        kind = "none" if rng.random() < 0.1 else "photo"
        yield (
            "final-action-evidence-library",
            ref,
            {
                "case_ref": ref,
                "evidence_type": kind,
                "evidence_ref": None,
                "recorded_at": iso(closed, rng),
            },
        )


def credibility(in_month: int, seed: int = 13) -> Iterator[Row]:
    """``in_month`` register closures in the month, then ``in_month // 4`` before it."""
    rng = Random(seed)
    for n in range(in_month + in_month // 4):
        yield from _closure(n, rng, inside=n < in_month)
