"""Example 2 end to end in Debian Chromium through validation and close, every action on a page:
the auditor marks the fortnightly audit reviewed, the regional manager attributes the learning
failure, the executive director authorizes the stabilization pathway naming an owner, the owner
accepts it from the mail link, the executive director publishes the fortnightly governance
summary, the owner marks the actions done, the worker answers the speaking-up form, and 14 days
after activation (time-skipping server) the governance reviewer's validation closes the case
through the gate. Feeds and the audit's start are seeded; the API is only read to wait for the
workflow. axe-core clean; screenshots e2e2-*."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.learning_steps import learning_case_id
from tests.api_support import wait_stage
from tests.browser_support import (
    Walk,
    accept_pathway,
    accessible,
    answer_speaking_up,
    attribute,
    browser_page,
    complete_step,
    days_after,
    fill,
    from_mail,
    from_pathway_mail,
    mark_actions_done,
    mark_reviewed,
    open_documents,
    publish_pack,
    sign_in_as,
    submit,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.escalation_support import skip_past_validation_opening
from tests.learning_factories import (
    ATTRIBUTION_DOCS,
    PATHWAY_DOCS,
    closed_report,
    load_closed,
)
from tests.learning_support import start_audit
from tests.workflow_support import running_worker

PATHWAY = {
    "pathway_type": "direct_reporter_feedback",
    "responsible_owner_id": "E-OWNER",
    "direct_feedback_all_reporters_in_domain": "true",
    "controlled_learning_bulletin": "false",
    "reopened_corrective_action_review": "false",
    "closure_criteria_redesign": "false",
    "note": "Feedback to every medication reporter",
}
VALIDATION = {
    "final_learning_visibility_status": "visible_learning_closure",
    "clearer_evidence_of_learning": "true",
    "decision": "close",
    "note": "Recurrence fell and feedback reached the reporters",
}
ACTIONS = (
    "Corrected learning-control implementation",
    "Worker feedback",
    "Feedback to all reporters in the domain",
)


async def test_example_2_through_validation_and_close_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, smtp_server, chromium
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    case_id = learning_case_id("NM-L2")
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        audit = await start_audit(own_env, sessions, queue, "NM-L2")
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        api.app.state.clock = own_env.get_current_time
        async with browser_page(own_env, sqlite_url, queue, chromium) as (base, page):
            await from_mail(page, base, inbox, "E-AUDITOR", "This is now yours: Mark the review")
            await mark_reviewed(page, "e2e2-01-audit-marked")

            walk = Walk(api, own_env, page, base, inbox, case_id, sessions)
            await _regional_lead_attributes_from_the_mail(walk)
            await _executive_authorizes_the_pathway_from_the_mail(walk)
            await wait_stage(api, case_id, "pathway-acceptance")
            await accept_pathway(page, base, inbox, case_id, "e2e2-06-accept-receipt")
            await wait_stage(api, case_id, "awaiting-visibility")
            # The summary of the cycle its audit covered lists it (store.packs.listing_periods).
            pack = f"/app/packs/fortnightly-governance/{audit.id.removeprefix('learning-audit-')}"
            await sign_in_as(page, base, "E-Exec", pack)
            await publish_pack(page, "e2e2-07-pack-published")
            await wait_stage(api, case_id, "awaiting-validation")
            await mark_actions_done(page, base, inbox, case_id, ACTIONS, "e2e2-08-action")
            await _follow_up_closed_with_feedback_and_a_worker_answers(walk)
            await skip_past_validation_opening(own_env, own_env.client.get_workflow_handle(case_id))
            await _owner_reviews_then_the_governance_reviewer_validates(walk)
        result = await asyncio.wait_for(own_env.client.get_workflow_handle(case_id).result(), 60)
        assert result["status"] == "closed"
        assert result["closure"]["category"] == "visible_learning_closure"


async def _regional_lead_attributes_from_the_mail(w: Walk) -> None:
    page = w.page
    await wait_stage(w.api, w.case_id, "learning-attribution")
    mail = "This is now yours: Learning-fail"
    await from_mail(page, w.base, w.inbox, "E-REGIONAL", mail, w.case_id)
    await open_documents(page, ATTRIBUTION_DOCS)
    await attribute(
        page,
        "no_feedback_to_reporter",
        ("Corrective action chronology", "Learning communication record"),
    )
    await page.get_by_role("textbox", name="Note").fill("Closed with no feedback")
    await accessible(page, "e2e2-02-attribution")
    title = "Learning-failure attribution"
    await submit(page, f"Submit {title.lower()}", "e2e2-03-attribution-receipt", title)


async def _executive_authorizes_the_pathway_from_the_mail(w: Walk) -> None:
    """After a baseline report closed without feedback."""
    now = await w.env.get_current_time()  # the baseline: closed without feedback
    baseline = closed_report("NM-B1", closed_at=now - timedelta(days=1), feedback=False)
    await load_closed(w.sessions, [baseline])
    await wait_stage(w.api, w.case_id, "stabilization-pathway")
    await from_mail(
        w.page, w.base, w.inbox, "E-EXEC", "This is now yours: Learning-stab", w.case_id
    )
    await open_documents(w.page, PATHWAY_DOCS)
    today = (await w.env.get_current_time()).date()
    dates = days_after(
        today,
        learning_control_implementation_deadline=7,
        worker_feedback_deadline=3,
        review_date=14,
    )
    await complete_step(
        w.page,
        "Learning-stabilization pathway",
        {**PATHWAY, **dates},
        "e2e2-04-pathway",
        "e2e2-05-pathway-receipt",
    )


async def _follow_up_closed_with_feedback_and_a_worker_answers(w: Walk) -> None:
    later = await w.env.get_current_time()  # follow-up: closed with feedback
    await load_closed(w.sessions, [closed_report("NM-F1", closed_at=later + timedelta(days=5))])
    await sign_in_as(w.page, w.base, "W-100", "/app/forms/speaking-up-confidence")
    await answer_speaking_up(w.page)


async def _owner_reviews_then_the_governance_reviewer_validates(w: Walk) -> None:
    page = w.page
    await wait_stage(w.api, w.case_id, "stabilization-validation")
    title = "Review of the learning-stabilization pathway"
    await from_pathway_mail(page, w.base, w.inbox, title, w.case_id)  # listed with the actions
    await fill(page, {"outcome": "stabilized", "findings": "Every reporter had feedback"})
    await submit(page, f"Submit {title.lower()}", "e2e2-08-review-receipt", title)
    mail = "This is now yours: Stabilization"
    await from_mail(page, w.base, w.inbox, "E-GOVREV", mail, w.case_id)
    await open_documents(page, ["validation-measures"])
    await complete_step(
        page,
        "Stabilization validation",
        VALIDATION,
        "e2e2-09-validation",
        "e2e2-10-validation-receipt",
    )
