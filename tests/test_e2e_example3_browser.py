"""Example 3 end to end in Debian Chromium through validation and close, every action on a page:
the reporting analyst marks the monthly closure review reviewed, the QA lead adjudicates the
doubtful closure, the director authorizes the repair pathway naming an owner, the owner accepts
it from the mail link and marks its actions done, the worker answers the reconfirmation request
from the mail link and the speaking-up form, and 21 days after activation (time-skipping server)
the board reviewer's validation closes the case as repaired. Feeds and the review's start are
seeded; the API is only read to wait for the workflow. axe-core clean; screenshots e2e3-*."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import async_playwright, expect

from domain.closure import closure_case_id
from tests.api_support import wait_stage
from tests.browser_support import CHROMIUM_ARGS, accessible, serve_pages, sign_in_as
from tests.browser_support import chromium as chromium  # the fixture
from tests.test_closure_workflow import ADJ_DOCS, REPAIR_DOCS, run_review
from tests.test_e2e_example1_browser import fill, mail_link, recorded
from tests.workflow_support import running_worker, skip


async def test_example_3_through_validation_and_close_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, smtp_server, chromium
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    case_id = closure_case_id("CC-D")
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        review, _as_of = await run_review(own_env, sessions, queue, mark=False)
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        api.app.state.clock = own_env.get_current_time
        clock = own_env.get_current_time
        async with (
            serve_pages(sqlite_url, own_env.client, queue, clock) as base,
            async_playwright() as pw,
        ):
            browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1024, "height": 800})

            path = await mail_link(inbox, "E-WXANALYST", "This is now yours: Mark the review")
            await sign_in_as(page, base, "E-Wxanalyst", path)
            await page.get_by_role("button", name="Mark reviewed").click()
            await expect(page.get_by_role("status")).to_contain_text("Marked reviewed")
            await accessible(page, "e2e3-01-review-marked")

            await wait_stage(api, case_id, "credibility-adjudication")
            path = await mail_link(inbox, "E-QALEAD", "This is now yours: Closure-cred", case_id)
            await sign_in_as(page, base, "E-Qalead", path)
            for doc in ADJ_DOCS:
                await page.get_by_role("button", name=f"Open {doc.replace('-', ' ')}").click()
                await page.get_by_role("link", name="Back").click()
            await page.get_by_label("Source", exact=True).first.select_option(
                "closure_without_employee_confirmation"
            )
            for document in ("Case chronology", "Final action evidence"):
                await page.get_by_role("checkbox", name=document, exact=True).first.check()
            await fill(
                page,
                {
                    "confirmed_status": "doubtful",
                    "still_relevant_to_workforce_trust": "true",
                    "note": "Closed without hearing from the worker",
                },
            )
            await accessible(page, "e2e3-02-adjudication")
            await page.get_by_role("button", name="Submit closure-credibility adjudication").click()
            await recorded(page, "e2e3-03-adjudication-receipt", "Closure-credibility adjudication")

            await wait_stage(api, case_id, "repair-pathway")
            path = await mail_link(
                inbox, "E-WXDIRECTOR", "This is now yours: Closure-repair", case_id
            )
            await sign_in_as(page, base, "E-Wxdirector", path)
            for doc in REPAIR_DOCS:
                await page.get_by_role("button", name=f"Open {doc.replace('-', ' ')}").click()
                await page.get_by_role("link", name="Back").click()
            today = (await own_env.get_current_time()).date()
            await fill(
                page,
                {
                    "pathway_type": "senior_contact_and_reconnection",
                    "accountable_owner_id": "E-OWNER",
                    "final_corrective_deadline": str(today + timedelta(days=5)),
                    "worker_reconnection_deadline": str(today + timedelta(days=3)),
                    "follow_up_review_date": str(today + timedelta(days=7)),
                    "direct_senior_safety_learning_contact": "false",
                    "independent_verification_of_improvement": "false",
                    "reopen_reporting_control_plan": "false",
                    "wider_closure_discipline_correction": "true",
                    "note": "Reconnect with the worker and correct closure discipline",
                },
            )
            await accessible(page, "e2e3-04-repair-pathway")
            await page.get_by_role("button", name="Submit closure-repair pathway").click()
            await recorded(page, "e2e3-05-repair-pathway-receipt", "Closure-repair pathway")

            await wait_stage(api, case_id, "pathway-acceptance")
            accept = await mail_link(inbox, "E-OWNER", "This is now yours: Accept the", case_id)
            await sign_in_as(page, base, "E-Owner", accept)
            await page.get_by_role("button", name="Accept the pathway").click()
            await recorded(page, "e2e3-06-accept-receipt", "Accept the")
            await wait_stage(api, case_id, "awaiting-validation")  # doubtful: no pack needed
            for title in ("Final corrective action", "Worker reconnection", "Follow-up review"):
                action = await mail_link(inbox, "E-OWNER", f"This is now yours: {title}", case_id)
                await sign_in_as(page, base, "E-Owner", action)
                await page.get_by_role("textbox", name="Note").fill(f"{title}: done")
                await page.get_by_role("button", name=f"Mark “{title}” done").click()
                await recorded(page, f"e2e3-07-action-{title.split()[0].lower()}", title)

            await skip(own_env, timedelta(days=15), step=timedelta(days=1))  # asked again at 14
            confirm = await mail_link(inbox, "W-1", "Near miss NM-CC-D: is it resolved for you now")
            assert confirm == "/app/forms/employee-confirmation?case_ref=CC-D"
            await page.context.clear_cookies()
            await page.goto(f"{base}{confirm}")
            await sign_in_as(page, base, "W-1", confirm)
            await page.get_by_label("Yes, it is resolved").check()
            await page.get_by_role("button", name="Send my answer").click()
            await expect(page.get_by_role("status")).to_contain_text("Resolved")
            await page.get_by_role("link", name="Speaking up", exact=True).click()
            await page.get_by_label("4 — mostly").check()
            await page.get_by_label("Which kind of risk").select_option("medication")
            await page.get_by_role("button", name="Send my answer").click()
            await expect(page.get_by_role("status")).to_contain_text("4 out of 5")
            await accessible(page, "e2e3-08-worker-answers")

            await skip(own_env, timedelta(days=6, hours=1), step=timedelta(days=1))  # day 21
            await wait_stage(api, case_id, "repair-validation")
            path = await mail_link(
                inbox, "E-BOARD", "This is now yours: Repair validation", case_id
            )
            await sign_in_as(page, base, "E-Board", path)
            await page.get_by_role("button", name="Open repair validation measures").click()
            await page.get_by_role("link", name="Back").click()
            await fill(
                page,
                {
                    "worker_regards_resolved": "true",
                    "decision": "close",
                    "note": "Validated against the activation baseline",
                },
            )
            await accessible(page, "e2e3-09-validation")
            await page.get_by_role("button", name="Submit repair validation").click()
            await recorded(page, "e2e3-10-validation-receipt", "Repair validation")
            await browser.close()
        final = await api.get(f"/cases/{case_id}", "E-BOARD")
        assert final.json()["status"] == "closed", final.text
        result = await own_env.client.get_workflow_handle(case_id).result()
        assert result["closure"]["category"] == "repaired"
        del review
