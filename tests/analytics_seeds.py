"""The small analytics data sets with known answers that more than one test file reads (the
analytics tests over HTTP and the analytics pages in the browser)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.acknowledgment import AckPolicy
from domain.learning_cycles import cycle_window
from store.acknowledgment import generate_review
from store.db import transaction
from tests.analytics_support import (
    CALENDAR,
    LEARNING,
    answer,
    audit,
    closure_review,
    closure_row,
    confirmation,
    evidence,
    platform,
    register,
    worker,
)
from tests.factories import load, load_reports, report_rows, staff_rows
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


async def october_closures_reviewed_then_confirmed_and_reopened(
    sessions: Any, reviewer: str = "R1"
) -> None:
    """C1-C3 on SL-A (REVIEWER; C3 on ML-2), C4 and C5 on SL-B (ML-2; C5's confirmation does
    not reconcile), reviewed for October; afterwards C2 is confirmed and C4 reopened."""
    by = {"final_reviewing_role": reviewer}
    await load(sessions, "staff-directory", staff_rows())
    await load(
        sessions,
        "closed-case-register",
        [
            closure_row("C1", 14, **by),  # credible, after two doubtful ones by R1: not counted
            closure_row("C2", 10, **by),
            closure_row("C3", 12, manager_line="ML-2", **by),
            closure_row(
                "C4", 28, service_line="SL-B", manager_line="ML-2", final_reviewing_role="R2"
            ),
            closure_row("C5", 29, service_line="SL-B", manager_line="ML-2", **by),
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


async def workforce(sessions: Any) -> None:
    """W-1 exposed (critical report, 5 Oct) leaves 10 Nov; W-3 not exposed leaves 20 Oct; W-4
    (DN-CITY) exposed by a doubtful closure on 15 Oct; W-5 inactive without a date: left out."""
    people = [
        *staff_rows(),  # W-100 and E-OWNER are HC-NORTH workers too
        worker("W-1", left="2026-11-10"),
        worker("W-2"),
        worker("W-3", left="2026-10-20"),
        worker("W-4", line="DN-CITY"),
        worker("W-5", active=False),
    ]
    await load(sessions, "staff-directory", people)
    review_at = datetime(2026, 10, 5, 7, tzinfo=UTC)
    await load_reports(
        sessions,
        [
            report_rows("NM-W1", submitted_at=review_at - timedelta(days=3), ack_minutes=None,
                        employee_id="W-1"),
            report_rows("NM-W2", submitted_at=review_at - timedelta(hours=19), ack_minutes=30,
                        employee_id="W-2"),
        ],
    )  # fmt: skip
    async with transaction(sessions) as session:
        await generate_review(
            session, "ack-review-2026-10-05", date(2026, 10, 5), review_at, AckPolicy()
        )
    closed = closure_row("CW4", 15, employee_id="W-4", service_line="DN-CITY", manager_line="ML-2")
    await load(sessions, "closed-case-register", [closed])
    await load(sessions, "final-action-evidence-library", [evidence("CW4")])
    await closure_review(sessions, "2026-10", datetime(2026, 11, 2, 7, tzinfo=UTC))
    await load(
        sessions,
        "incident-platform",
        [
            platform("NM-X1", "W-2", "2026-10-20T10:00:00+01:00"),
            platform("NM-TZ", "W-2", "2026-09-30T23:30:00+00:00"),  # 1 Oct 00:30 in London
            platform("NM-X2", "W-4", "2026-11-03T10:00:00+00:00", line="DN-CITY"),
        ],
    )
    await load(
        sessions,
        "speaking-up-confidence-form",
        [
            answer("R1", "W-2", 4, "2026-10-10"),
            answer("R2", "W-1", 2, "2026-10-12"),
            answer("R3", "W-2", 5, "2026-11-05"),
            answer("R4", "W-4", 1, "2026-11-06", line="DN-CITY"),
        ],
    )
