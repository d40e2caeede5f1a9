"""The small analytics data sets with known answers that more than one test file reads (the
analytics tests over HTTP and the analytics pages in the browser)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.learning_cycles import cycle_window
from tests.analytics_support import (
    CALENDAR,
    LEARNING,
    audit,
    closure_review,
    closure_row,
    confirmation,
    evidence,
    platform,
    register,
)
from tests.factories import load, staff_rows
from tests.learning_factories import closed_report, load_closed


async def two_learning_cycles(sessions: Any) -> None:
    """Cycle 16 Feb: L1-L3 on HC-NORTH (visible, no feedback, recurrence), L4 and L5 (no
    bulletin log row: an exception) on DN-CITY; cycle 2 Mar: L6 without feedback; both audited."""
    await load(sessions, "staff-directory", staff_rows())
    first, second = date(2026, 2, 16), date(2026, 3, 2)
    start = cycle_window(CALENDAR, first, LEARNING)[0]
    later = cycle_window(CALENDAR, second, LEARNING)[0]
    reports = [
        closed_report(
            "L1", closed_at=start + timedelta(days=1), wider_relevance=True, bulletin=True
        ),
        closed_report(
            "L2", closed_at=start + timedelta(days=2), wider_relevance=True, feedback=False
        ),
        closed_report("L3", closed_at=start + timedelta(days=3), recurrence=True),
        closed_report("L4", closed_at=start + timedelta(days=4), service_line="DN-CITY"),
        closed_report("L5", closed_at=start + timedelta(days=5), service_line="DN-CITY"),
        closed_report("L6", closed_at=later + timedelta(days=1), feedback=False),
    ]
    del reports[4]["learning-bulletin-log"]  # L5 does not reconcile: an exception
    await load_closed(sessions, reports)
    await load(
        sessions,
        "service-line-governance-register",
        [
            register("L1", "ML-1"),
            register("L2", "ML-1"),
            register("L3", "ML-1"),
            register("L4", "ML-2"),
        ],
    )
    await audit(sessions, first, datetime(2026, 3, 2, 7, tzinfo=UTC))
    await audit(sessions, second, datetime(2026, 3, 16, 7, tzinfo=UTC))


async def october_closures_reviewed_then_confirmed_and_reopened(sessions: Any) -> None:
    """C1-C3 on SL-A (R1; C3 on ML-2), C4 and C5 on SL-B (ML-2; C5's confirmation does not
    reconcile), reviewed for October; afterwards C2 is confirmed and C4 reopened."""
    await load(sessions, "staff-directory", staff_rows())
    await load(
        sessions,
        "closed-case-register",
        [
            closure_row("C1", 14),  # credible, after two doubtful ones by R1: not counted
            closure_row("C2", 10),
            closure_row("C3", 12, manager_line="ML-2"),
            closure_row(
                "C4", 28, service_line="SL-B", manager_line="ML-2", final_reviewing_role="R2"
            ),
            closure_row("C5", 29, service_line="SL-B", manager_line="ML-2"),
        ],
    )
    await load(
        sessions,
        "employee-confirmation-form",
        [
            confirmation("C1", True),
            confirmation("C3", False),
            confirmation("C4", True),
            confirmation("C5", True, employee="W-OTHER"),  # does not reconcile: an exception
        ],
    )
    await load(
        sessions,
        "final-action-evidence-library",
        [evidence("C1"), evidence("C2"), evidence("C3"), evidence("C4", "none"), evidence("C5")],
    )
    domains = {"NM-C1": "medication", "NM-C2": "medication", "NM-C3": "medication",
               "NM-C4": "documentation"}  # fmt: skip
    await load(
        sessions,
        "incident-platform",
        [platform(ref, "W-1", "2026-09-01T10:00:00+00:00", domain=d) for ref, d in domains.items()],
    )
    await closure_review(sessions, "2026-10", datetime(2026, 11, 2, 7, tzinfo=UTC))
    # After the review: C2's worker confirms and C4 is reopened 23 days after closure.
    await load(sessions, "employee-confirmation-form", [confirmation("C2", True)])
    reopen = {"case_ref": "C4", "reopened_at": "2026-11-20T09:00:00+00:00", "reason": "again"}
    await load(sessions, "reopened-risk-tracker", [reopen])
