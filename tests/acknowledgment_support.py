"""Example 1 on the time-skipping server: a review that opens a case, the documents and fields
of its steps, and a case brought to the recovery-pathway step (workflow tests)."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from typing import Any

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from domain.cases import DocumentOpened
from domain.periodic import MarkReviewed, ReviewSummary
from tests import api_support
from tests.api_support import TRIAGE_DOCS
from tests.factories import load, load_reports, report_rows, staff_rows
from tests.histories import record_history
from tests.workflow_support import (
    LONDON,
    actor,
    local_as_of,
    next_working_day,
    rejection,
    skip_until,
    start_review,
    submit,
    wait_for,
    wait_stage,
)

__all__ = ["TRIAGE_DOCS"]  # one list of triage documents for API and workflow tests

RECOVERY = "recovery-pathway"


async def seed(sessions: Any, day: date, reference: str = "NM-CRIT-1") -> None:
    """Staff, one critical report and one acknowledged in time for DAY's review."""
    as_of = local_as_of(day)
    await load(sessions, "staff-directory", staff_rows())
    await load_reports(
        sessions,
        [
            report_rows(reference, submitted_at=as_of - timedelta(days=3), ack_minutes=None),
            report_rows(
                f"{reference}-OK",
                submitted_at=as_of - timedelta(days=2),
                ack_minutes=30,
                status="triaged",
            ),
        ],
    )


async def open_docs(handle: Any, who: str, docs: list[str]) -> None:
    for doc in docs:
        await handle.execute_update(
            names.UPDATE_OPEN_DOCUMENT,
            DocumentOpened(document=doc, actor=actor(who)),
            rpc_timeout=timedelta(seconds=30),
        )


def attribution_fields(state: Any, **overrides: Any) -> dict[str, Any]:
    return api_support.attribution_for(state.computed["triage-attribution"], **overrides)


def impact_fields(state: Any, level: str) -> dict[str, Any]:
    return api_support.impact_for(state.computed["retention-impact"], level)


async def review_and_open_case(
    env: Any, sessions: Any, queue: str, reference: str = "NM-CRIT-1"
) -> Any:
    """The next working day's review, marked by the analyst (not a supervisor); its case."""
    day = await next_working_day(env)
    await seed(sessions, day, reference)
    review = await start_review(env.client, queue, day)

    async def generated() -> Any:
        summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
        return summary.as_of is not None and summary

    summary = await wait_for(generated)
    assert summary.counts.get("critical") == 1
    with_wrong_role = review.execute_update(
        names.UPDATE_MARK_REVIEWED,
        MarkReviewed(actor=actor("E-SUPERVISOR")),
        rpc_timeout=timedelta(seconds=30),
    )
    assert (await rejection(with_wrong_role)).type == "WrongRole"
    await review.execute_update(
        names.UPDATE_MARK_REVIEWED,
        MarkReviewed(actor=actor("E-ANALYST")),
        rpc_timeout=timedelta(seconds=30),
    )
    result = await asyncio.wait_for(review.result(), 60)
    assert result.cases_opened == 1
    await record_history(review, f"ack-review-{reference}")
    return env.client.get_workflow_handle(names.ack_case_id(reference))


async def case_at_recovery_pathway(env: Any, sessions: Any, queue: str, reference: str) -> Any:
    """A medium-impact case at the recovery-pathway step, the director's sheet opened.

    Steps 2 and 3 are done at the next 10:00 of a working day, so "close of business" of step
    3's day differs from every other rule (4 working hours, 1 working day) whenever the test runs.
    """
    case = await review_and_open_case(env, sessions, queue, reference)
    state = await wait_stage(case, "triage-attribution")
    now = LONDON.local(await env.get_current_time())
    day = now.date()
    if not LONDON.is_working_day(day) or now >= LONDON.wall(day, time(10)):
        day = LONDON.next_working_day(day)
    await skip_until(env, LONDON.wall(day, time(10)), step=timedelta(days=1))
    await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
    await submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
    state = await wait_stage(case, "retention-impact")
    await open_docs(case, "E-MANAGER", RETENTION_DOCUMENTS)
    await submit(case, "retention-impact", "E-MANAGER", impact_fields(state, "medium"))
    await wait_stage(case, RECOVERY)
    await open_docs(case, "E-DIRECTOR", ["reporting-control-authorization-sheet"])
    return case


def pathway_fields(today: date, **overrides: Any) -> dict[str, Any]:
    """Recovery-pathway fields whose own deadlines lie well ahead unless overridden."""
    ahead = {
        "triage_control_implementation_deadline": (today + timedelta(days=20)).isoformat(),
        "worker_communication_deadline": (today + timedelta(days=20)).isoformat(),
        "mandatory_review_date": (today + timedelta(days=30)).isoformat(),
    }
    return api_support.pathway(today, "E-OWNER") | ahead | overrides


async def submit_pathway(case: Any, fields: dict[str, Any], *, expect_late: bool) -> None:
    receipt = await submit(case, RECOVERY, "E-DIRECTOR", fields)
    assert receipt["late"] is expect_late
