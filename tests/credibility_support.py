"""Example 3's test people, documents and feeds, and its monthly review run to generation on the
time-skipping server (shared by the workflow, page and browser tests)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from domain import names
from domain.calendar import BusinessCalendar
from domain.cases import ActionDone, Actor, DocumentOpened, StepSubmission
from domain.credibility import next_month, parse_month
from domain.periodic import MarkReviewed, ReviewInput, ReviewSummary
from domain.reviews import review_id
from domain.roles import Role
from store.registers import append_entry
from store.tables import Breach, Case
from tests.factories import load, staff_rows
from tests.workflow_support import CALENDAR, skip, wait_for

CAL = BusinessCalendar(CALENDAR)
PEOPLE = {
    "E-WXANALYST": [Role.WORKFORCE_EXPERIENCE_REPORTING_ANALYST],
    "E-QALEAD": [Role.REPORTING_QUALITY_ASSURANCE_LEAD],
    "E-WXDIRECTOR": [Role.DIRECTOR_WORKFORCE_EXPERIENCE_SAFETY_LEARNING],
    "W-1": [Role.WORKER],
}
ADJ_DOCS = [
    "closure-review",
    "case-chronology",
    "final-action-evidence",
    "employee-narrative-feedback",
]
REPAIR_DOCS = ["reviewer-accountability-sheet", "service-impact-summary"]
MEASURES = ["repair-validation-measures"]
RPC = timedelta(seconds=30)


def who(employee_id: str) -> Actor:
    roles = PEOPLE.get(employee_id) or {"E-BOARD": [Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER]}.get(
        employee_id, [Role.WORKER]
    )
    return Actor(employee_id=employee_id, roles=roles)


def closed(case_ref: str, at: datetime) -> dict[str, Any]:
    return {
        "case_ref": case_ref,
        "reference": f"NM-{case_ref}",
        "employee_id": "W-1",
        "service_line": "SL-A",
        "manager_line": "ML-1",
        "closed_at": at.isoformat(),
        "closure_category": "corrective_action_completed",
        "final_reviewing_role": "near_miss_governance_supervisor",
    }


async def seed(sessions, at: datetime) -> None:
    """A doubtful closure (no answer) and a failed one (the worker said not resolved)."""
    await load(sessions, "staff-directory", staff_rows(PEOPLE))
    await load(sessions, "closed-case-register", [closed("CC-D", at), closed("CC-F", at)])
    await load(
        sessions,
        "employee-confirmation-form",
        [
            {
                "case_ref": "CC-F",
                "employee_id": "W-1",
                "confirmed": False,
                "responded_at": at.isoformat(),
            }
        ],
    )
    evidence = [
        {"case_ref": ref, "evidence_type": "photo", "recorded_at": at.isoformat()}
        for ref in ("CC-D", "CC-F")
    ]
    await load(sessions, "final-action-evidence-library", evidence)


async def run_review(env, sessions, queue, *, mark: bool = True):
    """Start this month's review (it waits for next month's first working day), mark it."""
    now = await env.get_current_time()
    local = CAL.local(now)
    period = f"{local.year:04d}-{local.month:02d}"
    await seed(sessions, now - timedelta(minutes=1))
    rid = review_id(names.EXAMPLE_CREDIBILITY, period)
    review = await env.client.start_workflow(
        names.WF_REVIEW,
        ReviewInput(
            review_id=rid,
            example=names.EXAMPLE_CREDIBILITY,
            period=period,
            calendar=CALENDAR,
            policy_version="closure-policy-v1",
        ),
        id=rid,
        task_queue=queue,
        result_type=ReviewSummary,
    )
    following = next_month(parse_month(period))
    first = CAL.nth_working_day_of_month(datetime.combine(following, time(12), tzinfo=UTC), 1)
    as_of = CAL.wall(first.date(), time(7))
    await skip(env, as_of - now + timedelta(minutes=1), step=timedelta(days=1))

    async def generated():
        summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
        return summary.as_of is not None and summary

    summary = await wait_for(generated)
    assert summary.as_of == as_of.astimezone(UTC)
    assert summary.counts == {"credible": 0, "doubtful": 1, "failed": 1}
    if mark:
        await review.execute_update(
            names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=who("E-WXANALYST")), rpc_timeout=RPC
        )
    return review, as_of


async def open_docs(handle, employee_id, docs):
    for doc in docs:
        await handle.execute_update(
            names.UPDATE_OPEN_DOCUMENT,
            DocumentOpened(document=doc, actor=who(employee_id)),
            rpc_timeout=RPC,
        )


async def submit(handle, step, employee_id, fields):
    return await handle.execute_update(
        names.UPDATE_SUBMIT_STEP,
        StepSubmission(step=step, actor=who(employee_id), fields=fields),
        rpc_timeout=RPC,
    )


def adjudication(state, status, **over):
    c = state.computed["credibility-adjudication"]
    return {
        "confirmed_status": status,
        "confirmed_sources": [
            {
                "source": "closure_without_employee_confirmation",
                "evidence": [
                    {"document": "case-chronology"},
                    {"document": "final-action-evidence"},
                ],
            }
        ],
        "days_closure_to_reopen": c["days_closure_to_reopen"],
        "repeated_doubtful_same_reviewing_role": c["repeated_doubtful_same_reviewing_role"],
        "repeated_doubtful_same_manager_line": c["repeated_doubtful_same_manager_line"],
        "still_relevant_to_workforce_trust": True,
        "note": "Closed without hearing from the worker",
        **over,
    }


def pathway(today, **over):
    return {
        "pathway_type": "senior_contact_and_reconnection",
        "accountable_owner_id": "E-OWNER",
        "final_corrective_deadline": (today + timedelta(days=5)).isoformat(),
        "worker_reconnection_deadline": (today + timedelta(days=3)).isoformat(),
        "follow_up_review_date": (today + timedelta(days=7)).isoformat(),
        "direct_senior_safety_learning_contact": False,
        "independent_verification_of_improvement": False,
        "reopen_reporting_control_plan": False,
        "wider_closure_discipline_correction": True,
        "note": "Reconnect with the worker and correct closure discipline",
        **over,
    }


def validation(state, decision, **over):
    c = state.computed["repair-validation"]
    return {
        "revised_confirmation_status": c["revised_confirmation_status"],
        "revised_reopened_status": c["reopened_since_activation"],
        "revised_confidence_score": c["revised_score"],
        "final_credibility_outcome": c["credibility"],
        "worker_regards_resolved": c["revised_confirmation_status"] == "confirmed",
        "repeated_doubtful_closures_remain": c["repeated_doubtful"],
        "decision": decision,
        "note": "Validated against the activation baseline",
        **over,
    }


async def answer(sessions, case_ref: str, confirmed: bool, score: int, at: datetime) -> None:
    """The worker answers the employee confirmation and the speaking-up form at AT."""
    await load(
        sessions,
        "employee-confirmation-form",
        [
            {
                "case_ref": case_ref,
                "employee_id": "W-1",
                "confirmed": confirmed,
                "responded_at": at.isoformat(),
            }
        ],
    )
    await load(
        sessions,
        "speaking-up-confidence-form",
        [
            {
                "response_id": f"SU-{case_ref}-{at.timestamp():.0f}",
                "employee_id": "W-1",
                "service_line": "SL-A",
                "risk_domain": "medication",
                "score": score,
                "submitted_at": at.isoformat(),
            }
        ],
    )


async def breach_levels(sessions, subject, step):
    async with sessions() as s:
        rows = await s.scalars(select(Breach).where(Breach.case_id == subject, Breach.step == step))
        return sorted((b.level, b.deadline) for b in rows)


async def complete_actions(case: Any) -> None:
    """The owner completes the repair pathway's three actions."""
    for action in ("final-correction", "worker-reconnection", "follow-up-review"):
        await case.execute_update(
            names.UPDATE_COMPLETE_ACTION, ActionDone(action=action, actor=who("E-OWNER")),
            rpc_timeout=RPC,
        )  # fmt: skip


async def add_own_closed_case(
    session: Any,
    case_id: str,
    closed_at: datetime,
    *,
    reference: str,
    final_reviewing_role: str | None,
) -> None:
    """A case the service closed itself, as the case workflows leave it: its row, and (unless
    ``final_reviewing_role`` is None) its closure entry in example 1's recovery log."""
    session.add(
        Case(
            case_id=case_id,
            example="acknowledgment",
            reference=reference,
            review_id="ack-review-2026-11-02",
            employee_id="W-9",
            service_line="SL-A",
            exposure="critical",
            stage="closed",
            status="closed",
            escalation_level=0,
            opened_at=closed_at - timedelta(days=5),
            updated_at=closed_at,
            closed_at=closed_at,
            detail={},
        )
    )
    if final_reviewing_role is None:
        return
    await append_entry(
        session,
        "acknowledgment-recovery-log",
        actor="system",
        recorded_at=closed_at,
        subject=case_id,
        kind="case_closed",
        payload={
            "closure_category": "no_pathway_required",
            "final_reviewing_role": final_reviewing_role,
        },
    )


# The values the review sets on a closure's own row (``store.credibility_review``), in order.
ADDED = (
    "source", "origin_example", "flags", "confirmation_received", "confirmed",
    "confirmation_responded_at", "reopened_within_30_days", "reopened_at", "days_to_reopen",
    "evidence_type", "credibility_reasons",
)  # fmt: skip
