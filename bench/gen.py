"""A fast generator of example-1 feed rows for benchmarks (the four acknowledgment feeds).

``cli.demo_data.generate`` builds all fourteen feeds and only about a fifth of its reports are
in the daily review's scope, so 1M in-scope reports would take it minutes. This one builds just
the four example-1 rows per report: ``in_scope`` reports land in the review, plus a quarter as
many out of scope (older than 30 days, or closed) so the scope filter has work to do. About 4%
of in-scope reports are exceptions (one mismatch each); 10% of log rows differ by seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from domain.acknowledgment import GOVERNANCE_REGISTER, PLATFORM, REPORTING_LOG, RESPONSE_TRACKER

AS_OF = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
LINES = ("HC-NORTH", "DN-CITY", "SL-EAST", "HC-SOUTH")
MANAGER = {"HC-NORTH": "ML-NORTH", "DN-CITY": "ML-CENTRAL", "SL-EAST": "ML-EAST"}
DOMAINS = ("medication", "documentation", "route_travel", "communication", "manual_handling")
_OFFSETS = ((timedelta(0), "+00:00"), (timedelta(hours=1), "+01:00"))
_MISMATCHES = ("no_log", "no_tracker", "no_register", "employee", "owner", "submitted", "status")
Rows = dict[str, dict[str, Any]]


def iso(at: datetime | None, rng: Random) -> str | None:
    """An ISO 8601 instant with a random (valid) offset: the review must compare instants."""
    if at is None:
        return None
    offset, suffix = _OFFSETS[rng.random() < 0.5]
    return (at + offset).replace(tzinfo=None).isoformat() + suffix


def _timeline(rng: Random, older: bool) -> tuple[datetime, ...]:
    days = 31 + 29 * rng.random() if older else 30 * rng.random()
    submitted = AS_OF - timedelta(seconds=max(60, int(days * 86_400)))
    x = rng.random()
    ack_s = 43_020 * x + 180 if x < 0.9 else 86_460 + (86_340 if x < 0.96 else 172_800) * x
    ack = submitted + timedelta(seconds=int(ack_s))
    slow = rng.random() < 0.1
    triage = ack + timedelta(minutes=int(3000 + 3000 * x if slow else 30 + 2770 * rng.random()))
    return submitted, ack, triage


def report(n: int, rng: Random, *, out_of_scope: bool = False) -> Rows:
    """The four rows of report ``n`` (some rows missing or disagreeing for exceptions)."""
    older = out_of_scope and rng.random() < 0.5
    submitted, ack_at, triage_at = _timeline(rng, older)
    ack = ack_at if ack_at < AS_OF else None
    triage = triage_at if ack is not None and triage_at < AS_OF else None
    # Out of scope: older than 30 days (then sometimes closed), or within them but closed.
    closed = out_of_scope and (not older or (triage is not None and rng.random() < 0.8))
    status = "closed" if closed else "triaged" if triage else "in_triage" if ack else "pending"
    line = LINES[n % 4]
    employee, owner = f"E{n % 5000:05d}", f"L{n % 97:03d}" if rng.random() < 0.96 else None
    sub_iso, ack_iso = iso(submitted, rng), iso(ack, rng)
    common = {"reference": f"NM-{n:08d}", "employee_id": employee, "service_line": line}
    domain = DOMAINS[n % 5]
    rows: Rows = {
        PLATFORM: common
        | {
            "client_id": f"CL-{n % 9000}" if n % 3 else None,
            "risk_domain": domain,
            "category_code": f"{domain[:3].upper()}-{n % 3}",
            "submitted_at": sub_iso,
            "first_acknowledged_at": ack_iso,
            "triage_completed_at": iso(triage, rng),
            "triage_status": status,
            "triage_owner_id": owner,
            "recurrence_risk": rng.random() < 0.2,
            "unsafe_condition_active": not closed and rng.random() < 0.05,
            "closed_at": iso(min(triage_at + timedelta(hours=3), AS_OF), rng) if closed else None,
            "corrective_action_ref": None,
            "narrative": "Near miss reported.",
        },
        REPORTING_LOG: common | {"triage_owner_id": owner, "submitted_at": sub_iso},
        RESPONSE_TRACKER: common
        | {
            "triage_owner_id": owner,
            "triage_status": status,
            "manager_reviewed": rng.random() < 0.9,
            "updated_at": iso(triage or ack or submitted, rng),
        },
        GOVERNANCE_REGISTER: common
        | {"manager_line": MANAGER.get(line, "ML-SOUTH"), "triage_owner_id": owner}
        | {"risk_domain": domain},
    }
    rows[REPORTING_LOG]["first_acknowledged_at"] = ack_iso
    if rng.random() < 0.1:  # source clocks differ by seconds: still agreeing
        rows[REPORTING_LOG]["submitted_at"] = iso(submitted + timedelta(seconds=17), rng)
    if rng.random() < 0.04:
        _mismatch(rows, _MISMATCHES[int(rng.random() * len(_MISMATCHES))], submitted, rng)
    return rows


def _mismatch(rows: Rows, kind: str, submitted: datetime, rng: Random) -> None:
    """Make the report an exception of one kind."""
    if kind.startswith("no_"):
        feed = {"no_log": REPORTING_LOG, "no_tracker": RESPONSE_TRACKER}.get(kind)
        del rows[feed or GOVERNANCE_REGISTER]
    elif kind == "employee":
        rows[REPORTING_LOG]["employee_id"] = "E99999"
    elif kind == "owner":
        rows[GOVERNANCE_REGISTER]["triage_owner_id"] = "L999"
    elif kind == "submitted":
        rows[REPORTING_LOG]["submitted_at"] = iso(submitted + timedelta(seconds=125), rng)
    else:
        rows[RESPONSE_TRACKER]["triage_status"] = "pending"


def reports(in_scope: int, seed: int = 7) -> Iterator[Rows]:
    """``in_scope`` reports in the review's scope, then ``in_scope // 4`` out of scope."""
    rng = Random(seed)
    for n in range(in_scope):
        yield report(n, rng)
    for n in range(in_scope, in_scope + in_scope // 4):
        yield report(n, rng, out_of_scope=True)
