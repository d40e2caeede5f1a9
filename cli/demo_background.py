"""The demo's random background: reports after the scenarios (some of last month's closures
entering the register), workforce concerns and speaking-up confidence answers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from cli.demo_common import (
    CATEGORIES,
    CONCERNS,
    DOMAINS,
    LOG,
    SPEAKING_UP,
    Edits,
    iso,
    local,
    previous_month,
    uniform,
)
from cli.demo_rows import Builder, Report, ack_rows, apply_edits, learning_rows
from cli.demo_scenarios import ACK_SPECS, CLOSURE_SPECS, FIRST_REF, MIN_REPORTS


def _random_report(b: Builder, reference: str) -> Report:
    """A background report: mostly prompt, sometimes late, usually closed once old enough."""
    rng, as_of, minute = b.rng, b.as_of, timedelta(minutes=1)
    worker = b.staff.workers[int(rng.random() * len(b.staff.workers))]
    line = worker.service_line
    assert line is not None
    domain = DOMAINS[int(rng.random() * len(DOMAINS))]
    submitted = b.working_time(uniform(rng, 1, 60))
    x = rng.random()
    # seconds to acknowledge: 92% within 12 h, 6% between 1 and 2 days, 2% over 2 days
    late = 43_020 * x if x < 0.92 else 86_460 + 86_340 * rng.random()
    late += 180 if x < 0.92 else (0 if x < 0.98 else 86_400)
    ack: datetime | None = submitted + timedelta(seconds=int(late))
    ack = ack if ack is not None and ack < as_of else None
    triage = closed = None
    if ack is not None:
        slow = rng.random() < 0.1
        triage = ack + (uniform(rng, 3000, 6000) if slow else uniform(rng, 30, 2800)) * minute
        triage = triage if triage < as_of else None
    if triage is not None and rng.random() < 0.75:
        closed = triage + uniform(rng, 600, 12_000) * minute
        closed = closed if closed < as_of else None
    categories = CATEGORIES[domain]
    return Report(
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
        client_id=f"CL-{uniform(rng, 1000, 9999)}" if rng.random() < 0.7 else None,
    )


_EVIDENCE = ("photo", "audit", "policy_change", "training_record", "risk_assessment", "none")


def background(b: Builder, count: int) -> None:
    """Random reports after the scenarios; some of last month's closures enter the register."""
    rng, as_of = b.rng, b.as_of
    month_start, month_end = (local(d, time(0)) for d in previous_month(b.today))
    jitter: Edits = {LOG: {"submitted_at": timedelta(0)}}
    case_number = len(CLOSURE_SPECS)
    for n in range(count):
        r = _random_report(b, f"NM-{FIRST_REF + MIN_REPORTS + n}")
        rows = ack_rows(r)
        if rng.random() < 0.1:  # clocks of source systems differ by seconds: still agreeing
            jitter[LOG]["submitted_at"] = timedelta(seconds=uniform(rng, 1, 20))  # type: ignore[index]
            apply_edits(rows, jitter, as_of)
        if r.closed is None:
            b.emit(rows)
            continue
        b.emit(rows | learning_rows(r, as_of, rng))
        if month_start <= r.closed < month_end and rng.random() < 0.4:
            case_number += 1
            confirmed = None if rng.random() < 0.2 else rng.random() < 0.85
            evidence = None if rng.random() < 0.08 else _EVIDENCE[uniform(rng, 0, 5)]
            reopened = 40 * rng.random() if rng.random() < 0.05 else None
            b.closed_case(f"CC-{case_number:04d}", r, confirmed, evidence, reopened)


CONCERN_CASES = {"concern_open": "WC-0001", "concern_closed": "WC-0002"}
"""Concerns of the workers of ``ack_critical_ack`` (open) and ``ack_emerging_ack`` (closed)."""


def concerns(b: Builder, count: int) -> None:
    """Workforce concerns: two fixed ones, then random open and closed ones."""
    rng, workers, names = b.rng, b.staff.workers, [s.name for s in ACK_SPECS]
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
        opened = local(b.today - timedelta(days=days_ago), time(11, n % 60))
        closed = None if closes_after is None else opened + timedelta(days=closes_after)
        closed = closed if closed is not None and closed < b.as_of else None
        b.out[CONCERNS].append(
            {
                "concern_id": f"WC-{n:04d}",
                "employee_id": worker.employee_id,
                "concern_type": kind,
                "status": "open" if closed is None else "closed",
                "opened_at": iso(opened),
                "closed_at": iso(closed),
            }
        )


_SCORES = (1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5)  # skewed towards 3-4


def speaking_up(b: Builder, count: int) -> None:
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
                "submitted_at": iso(b.working_time(uniform(rng, 1, 60)).replace(second=0)),
                "comment": "Felt listened to." if rng.random() < 0.1 else None,
            }
        )
