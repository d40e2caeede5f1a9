"""A seeded, deterministic demo data set for all fourteen feeds of SOURCES.md.

``generate(seed, reports, as_of)`` returns JSON-ready rows per feed name. The first references are
hand-built scenarios, one per classification and exception reason of the three examples, with
fixed keys listed in ``DEMO_CASES`` (so tests and the README can point at them); the rest is
random background, mostly consistent across feeds. Instants are computed in UTC and written as
``Europe/London`` ISO 8601 strings with their offset. Linear in ``reports``: benchmarks reuse it.

The parts, one module each: ``demo_common`` (feeds, lines, London time), ``demo_staff``,
``demo_rows`` (a report's rows in every feed), ``demo_scenarios``, ``demo_past`` (leavers'
reports, past closures) and ``demo_background`` (random reports, concerns, answers).

Where each scenario lands (as_of = the instant given to ``generate``):

- example 1 (``ack_*``): submitted within 30 days before as_of, not closed, except the two
  ``ack_out_of_scope_*``; ``ack_exception_*`` are exceptions with the reason in their name.
- example 2 (``learn_*``): closed in the last complete 14-day cycle ending on or before as_of's
  date (cycles counted from ``cycle_anchor``).
- example 3 (``closure_*``, keyed by ``case_ref``): ``closed-case-register`` rows closed in the
  calendar month before as_of's month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from random import Random

from cli.demo_background import CONCERN_CASES, background, concerns, speaking_up
from cli.demo_common import LONDON, STAFF, Row
from cli.demo_past import PAST_CLOSURE_CASES, PAST_REPAIRS, leaver_reports, past_closures
from cli.demo_rows import Builder
from cli.demo_scenarios import (
    ACK_CASES,
    CLOSURE_CASES,
    LEARNING_CASES,
    MIN_REPORTS,
    SCENARIO_REFERENCES,
    ack_scenarios,
    closure_scenarios,
    learning_scenarios,
)
from cli.demo_staff import DEMO_STAFF, RECENT_LEAVERS, make_staff, staff_rows

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

DEMO_CASES: dict[str, str] = {**ACK_CASES, **LEARNING_CASES, **CLOSURE_CASES, **CONCERN_CASES}
"""Scenario name -> the key that exhibits it (reference, or case_ref for ``closure_*``)."""


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
    b = Builder(rng, as_of, make_staff(rng, max(30, reports // 8), today))
    ack_scenarios(b)
    learning_scenarios(b, cycle_anchor)
    closure_scenarios(b)
    past_closures(b)
    leaver_reports(b)
    background(b, reports - MIN_REPORTS)
    concerns(b, max(8, len(b.staff.workers) // 6))
    speaking_up(b, max(30, reports // 3))
    b.out[STAFF] = staff_rows(b.staff)
    return b.out
