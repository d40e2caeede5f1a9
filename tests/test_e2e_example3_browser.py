"""Example 3 end to end in Debian Chromium through validation and close, every action on a page:
the reporting analyst marks the monthly closure review reviewed, the QA lead adjudicates the
doubtful closure, the director authorizes the repair pathway naming an owner, the owner accepts
it from the mail link and marks its actions done, the worker answers the reconfirmation request
from the mail link and the speaking-up form, and 21 days after activation (time-skipping server)
the board reviewer's validation closes the case as repaired. Feeds and the review's start are
seeded; the API is only read to wait for the workflow. axe-core clean; screenshots e2e3-*."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from playwright.async_api import expect

from domain.credibility import credibility_case_id
from tests.api_support import wait_stage
from tests.browser_support import (
    Walk,
    accept_pathway,
    accessible,
    answer_speaking_up,
    attribute,
    browser_page,
    complete_step,
    confirm_resolved,
    days_after,
    from_mail,
    mail_link,
    mark_actions_done,
    mark_reviewed,
    open_documents,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.credibility_support import ADJ_DOCS, REPAIR_DOCS, run_review
from tests.workflow_support import running_worker, skip

PATHWAY = {
    "pathway_type": "senior_contact_and_reconnection",
    "accountable_owner_id": "E-OWNER",
    "direct_senior_safety_learning_contact": "false",
    "independent_verification_of_improvement": "false",
    "reopen_reporting_control_plan": "false",
    "wider_closure_discipline_correction": "true",
    "note": "Reconnect with the worker and correct closure discipline",
}
ADJUDICATION = {
    "confirmed_status": "doubtful",
    "still_relevant_to_workforce_trust": "true",
    "note": "Closed without hearing from the worker",
}
VALIDATION = {
    "worker_regards_resolved": "true",
    "decision": "close",
    "note": "Validated against the activation baseline",
}
MARKED = (
    "Marked reviewed: a case opens for each doubtful and failed closure, for the Reporting "
    "Quality Assurance Lead's closure-credibility adjudication. Each case is linked in the Case "
    "column once it is open; they open over the next minute."
)
ACTIONS = ("Final corrective action", "Worker reconnection", "Follow-up review")


async def test_example_3_through_validation_and_close_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, smtp_server, chromium
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    case_id = credibility_case_id("CC-D")
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        await run_review(own_env, sessions, queue, mark=False)
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        api.app.state.clock = own_env.get_current_time
        async with browser_page(own_env, sqlite_url, queue, chromium) as (base, page):
            mail = "This is now yours: Mark the review"
            await from_mail(page, base, inbox, "E-WXANALYST", mail)
            await mark_reviewed(page, "e2e3-01-review-marked")
            # What marking set going, and each adjudication linked once open (the walk of
            # 8 December read a bare "Marked reviewed." over a Case column of "—")
            await expect(page.get_by_role("status")).to_have_text(MARKED)
            await wait_stage(api, case_id, "credibility-adjudication")
            await page.reload()
            case = page.locator('td[data-label="Case"] a', has_text="CC-D")
            await expect(case).to_have_attribute("href", f"/app/cases/{case_id}")

            walk = Walk(api, own_env, page, base, inbox, case_id, sessions)
            await _qa_lead_adjudicates_from_the_mail(walk)
            await _director_authorizes_the_repair_from_the_mail(walk)
            await wait_stage(api, case_id, "pathway-acceptance")
            await accept_pathway(page, base, inbox, case_id, "e2e3-06-accept-receipt")
            await wait_stage(api, case_id, "awaiting-validation")  # doubtful: no pack needed
            await mark_actions_done(page, base, inbox, case_id, ACTIONS, "e2e3-07-action")
            await skip(own_env, timedelta(days=15), step=timedelta(days=1))  # asked again at 14
            await _worker_answers_both_forms_from_the_mail(walk)
            await skip(own_env, timedelta(days=6, hours=1), step=timedelta(days=1))  # day 21
            await wait_stage(api, case_id, "repair-validation")
            mail = "This is now yours: Repair validation"
            await from_mail(page, base, inbox, "E-BOARD", mail, case_id)
            await open_documents(page, ["repair-validation-measures"])
            await complete_step(
                page,
                "Repair validation",
                VALIDATION,
                "e2e3-09-validation",
                "e2e3-10-validation-receipt",
            )
        final = await api.get(f"/cases/{case_id}", "E-BOARD")
        assert final.json()["status"] == "closed", final.text
        result = await asyncio.wait_for(own_env.client.get_workflow_handle(case_id).result(), 60)
        assert result["closure"]["category"] == "repaired"


async def _qa_lead_adjudicates_from_the_mail(w: Walk) -> None:
    await wait_stage(w.api, w.case_id, "credibility-adjudication")
    mail = "This is now yours: Closure-cred"
    await from_mail(w.page, w.base, w.inbox, "E-QALEAD", mail, w.case_id)
    # the case as every page names it: its closed case and the report it closed, no ID
    named = w.page.get_by_role("link", name="Closed case CC-D (report NM-CC-D)", exact=True)
    await expect(named).to_be_visible()
    await expect(w.page.locator("main")).not_to_contain_text("closure-case-")
    await open_documents(w.page, ADJ_DOCS)
    await attribute(
        w.page,
        "closure_without_employee_confirmation",
        ("Case chronology", "Final action evidence"),
    )
    await complete_step(
        w.page,
        "Closure-credibility adjudication",
        ADJUDICATION,
        "e2e3-02-adjudication",
        "e2e3-03-adjudication-receipt",
    )


async def _director_authorizes_the_repair_from_the_mail(w: Walk) -> None:
    await wait_stage(w.api, w.case_id, "repair-pathway")
    mail = "This is now yours: Closure-repair"
    await from_mail(w.page, w.base, w.inbox, "E-WXDIRECTOR", mail, w.case_id)
    await open_documents(w.page, REPAIR_DOCS)
    today = (await w.env.get_current_time()).date()
    dates = days_after(
        today, final_corrective_deadline=5, worker_reconnection_deadline=3, follow_up_review_date=7
    )
    await complete_step(
        w.page,
        "Closure-repair pathway",
        {**PATHWAY, **dates},
        "e2e3-04-repair-pathway",
        "e2e3-05-repair-pathway-receipt",
    )


async def _worker_answers_both_forms_from_the_mail(w: Walk) -> None:
    """Asked again at day 14: the worker confirms from the mail's link and answers the
    speaking-up form."""
    confirm = await mail_link(w.inbox, "W-1", "Near miss NM-CC-D: is it resolved for you now")
    assert confirm == "/app/forms/employee-confirmation?case_ref=CC-D"
    await confirm_resolved(w.page, w.base, confirm, "W-1")
    await w.page.get_by_role("link", name="Speaking up", exact=True).click()
    await answer_speaking_up(w.page)
    await accessible(w.page, "e2e3-08-worker-answers")
