"""Example 2 on the time-skipping server: an audit that opens a case, the documents and fields
of its steps, and a case brought to active stabilization (workflow tests)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from domain import names
from domain.calendar import CalendarConfig, compute_deadline
from domain.cases import ActionDone, Actor, DocumentOpened, PathwayAcceptance, StepSubmission
from domain.learning_cycles import audit_period
from domain.learning_steps import (
    learning_case_id,
)
from domain.periodic import MarkReviewed, PackInput, PublishPack, ReviewInput, ReviewSummary
from domain.reviews import review_id
from tests.factories import STAFF, load, staff_rows
from tests.histories import record_history
from tests.learning_factories import (
    ATTRIBUTION_DOCS,
    LEARNING_STAFF,
    PATHWAY_DOCS,
    closed_report,
    load_closed,
)
from tests.workflow_support import (
    CALENDAR,
    case_state,
    generated_skipping,
    rejection,
    wait_stage,
)

RPC = timedelta(seconds=30)


def actor(employee_id):
    roles = LEARNING_STAFF.get(employee_id) or STAFF.get(employee_id, [])
    return Actor(employee_id=employee_id, roles=list(roles))


async def submit(handle, step, who, fields):
    return await handle.execute_update(
        names.UPDATE_SUBMIT_STEP,
        StepSubmission(step=step, actor=actor(who), fields=fields),
        rpc_timeout=RPC,
    )


async def start_audit(env, sessions, queue, reference):
    """Seed one report closed without feedback in the last ended cycle; its audit, generated
    (the report emerging)."""
    now = await env.get_current_time()
    # Before 08:00 UTC on a cycle's first day its audit (07:00 local) has not run yet: take the
    # previous cycle, whose audit is due already (the test waits for it in real time).
    period = audit_period((now - timedelta(hours=8)).astimezone(UTC).date())
    await load(sessions, "staff-directory", staff_rows(LEARNING_STAFF))
    closed = datetime.combine(date.fromisoformat(period) + timedelta(days=7), time(12), UTC)
    await load_closed(sessions, [closed_report(reference, closed_at=closed, feedback=False)])
    rid = review_id(names.EXAMPLE_LEARNING, period)
    audit = await env.client.start_workflow(
        names.WF_REVIEW,
        ReviewInput(
            review_id=rid,
            example=names.EXAMPLE_LEARNING,
            period=period,
            calendar=CALENDAR,
            policy_version="learning-policy-v1",
        ),
        id=rid,
        task_queue=queue,
        result_type=ReviewSummary,
    )

    summary = await generated_skipping(env, audit)
    assert summary.counts["emerging"] == 1, summary
    return audit


async def audit_and_open_case(env, sessions, queue, reference):
    """Seed one report closed without feedback in the last ended cycle; audit; mark reviewed."""
    audit = await start_audit(env, sessions, queue, reference)
    wrong = audit.execute_update(
        names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=actor("E-REGIONAL")), rpc_timeout=RPC
    )
    assert (await rejection(wrong)).type == "WrongRole"
    await audit.execute_update(
        names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=actor("E-AUDITOR")), rpc_timeout=RPC
    )
    assert (await asyncio.wait_for(audit.result(), 60)).cases_opened == 1
    await record_history(audit, "learning-audit")
    return env.client.get_workflow_handle(learning_case_id(reference))


async def open_docs(handle, who, docs):
    for doc in docs:
        await handle.execute_update(
            names.UPDATE_OPEN_DOCUMENT,
            DocumentOpened(document=doc, actor=actor(who)),
            rpc_timeout=RPC,
        )


def attribution_fields(state):
    c = state.computed["learning-attribution"]
    return {
        "confirmed_sources": [
            {
                "source": "no_feedback_to_reporter",
                "evidence": [
                    {"document": "corrective-action-chronology"},
                    {"document": "learning-communication-record"},
                ],
            }
        ],
        "indicators_above_threshold": c["indicator_count"],
        "same_domain_repeated_failure": c["same_domain_repeated_failure"],
        "same_service_line_closes_without_feedback": c["same_service_line_closes_without_feedback"],
        "recurrence_after_resolved": c["recurrence_after_resolved"],
        "note": "Closed with no feedback to the reporter",
    }


def pathway_fields(today, **over):
    return {
        "pathway_type": "direct_reporter_feedback",
        "responsible_owner_id": "E-OWNER",
        "learning_control_implementation_deadline": (today + timedelta(days=7)).isoformat(),
        "worker_feedback_deadline": (today + timedelta(days=3)).isoformat(),
        "review_date": (today + timedelta(days=14)).isoformat(),
        "direct_feedback_all_reporters_in_domain": True,
        "controlled_learning_bulletin": False,
        "reopened_corrective_action_review": False,
        "closure_criteria_redesign": False,
        "note": "Feedback to every medication reporter",
    } | over


def validation_fields(state, decision, **over):
    c = state.computed["stabilization-validation"]
    return {
        "revised_recurrence_count": c["revised_recurrence_count"],
        "revised_corrective_action_completion_rate": c["revised_corrective_action_completion_rate"],
        "revised_reporter_feedback_completion_rate": c["revised_reporter_feedback_completion_rate"],
        "final_learning_visibility_status": "emerging",
        "clearer_evidence_of_learning": True,
        "recurrence_below_threshold": c["recurrence_fell"],
        "decision": decision,
        "note": "Validation",
    } | over


async def record_review(case) -> None:
    """The named owner records the pathway's review: stabilized (every action is done)."""
    fields = {"outcome": "stabilized", "findings": "Feedback reached every reporter"}
    await submit(case, "stabilization-review", "E-OWNER", fields)


async def to_active_stabilization(env, case, sessions):
    """Steps 2 and 3 on time, owner acceptance, fortnightly pack publication."""
    state = await wait_stage(case, "learning-attribution")
    await open_docs(case, "E-REGIONAL", ATTRIBUTION_DOCS)
    await submit(case, "learning-attribution", "E-REGIONAL", attribution_fields(state))
    state = await wait_stage(case, "stabilization-pathway")
    ob = state.obligations["stabilization-pathway"]
    start = state.obligations["learning-attribution"].done_at
    assert ob.deadline == compute_deadline(CalendarConfig(), "3 working days", start).due_at
    today = (await env.get_current_time()).date()
    await open_docs(case, "E-EXEC", PATHWAY_DOCS)
    unsupported = await rejection(
        submit(
            case,
            "stabilization-pathway",
            "E-EXEC",
            pathway_fields(today, direct_feedback_all_reporters_in_domain=False),
        )
    )
    assert unsupported.type == "InvalidFields" and "pathway_requirements" in str(
        unsupported.details
    )
    await submit(case, "stabilization-pathway", "E-EXEC", pathway_fields(today))
    await wait_stage(case, "pathway-acceptance")
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY, PathwayAcceptance(actor=actor("E-OWNER")), rpc_timeout=RPC
    )
    await wait_stage(case, "awaiting-visibility")
    pack = await env.client.start_workflow(
        names.WF_PACK,
        # The summary of the cycle its audit covered lists the case (store.packs.listing_periods).
        PackInput(kind=names.PACK_FORTNIGHTLY, period=(await case_state(case)).review_id[15:]),
        id=f"pack-test-{case.id}",
        task_queue=(await case.describe()).task_queue,
    )
    await pack.execute_update(
        names.UPDATE_PUBLISH, PublishPack(actor=actor("E-EXEC")), rpc_timeout=RPC
    )
    state = await wait_stage(case, "awaiting-validation")
    for action in (
        "learning-control-implementation",
        "worker-feedback",
        "direct-feedback-all-reporters",
    ):
        await case.execute_update(
            names.UPDATE_COMPLETE_ACTION,
            ActionDone(action=action, actor=actor("E-OWNER")),
            rpc_timeout=RPC,
        )
    return state, pack
