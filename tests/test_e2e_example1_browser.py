"""Example 1 end to end in Debian Chromium, every action done on a page by the person who owes
it, each reached from the "this is now yours" mail: the analyst marks the daily review reviewed,
the supervisor attributes the triage failure, the manager assesses retention impact, the
director authorizes the recovery pathway naming an owner, the owner (no governance role)
accepts it from the mail link, the director publishes the weekly pack, the owner marks the
actions done, the mandatory review date passes (time-skipping server: nothing closes by itself),
the owner records the review as recovered from its mail link, and the reporting worker confirms
from the closure mail's link. Feeds and the review's start are seeded through the API;
the API is only read to wait for the workflow between people. axe-core finds no serious or
critical violation on any page; screenshots go to var/screenshots/e2e1-*.png."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import expect

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from store.sources import current_records
from tests.api_support import CRITICAL, TRIAGE_DOCS, seed, wait_stage
from tests.browser_support import (
    Walk,
    accessible,
    attribute,
    browser_page,
    complete_step,
    confirm_resolved,
    days_after,
    fill,
    from_mail,
    from_pathway_mail,
    mail_link,
    mark_actions_done,
    mark_reviewed,
    open_documents,
    publish_pack,
    sign_in_as,
    submit,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.pdf_support import pdftotext
from tests.workflow_support import next_working_day, running_worker, skip, skip_to_as_of

PATHWAY = {
    "pathway_type": "triage_control_reset",
    "responsible_owner_id": "E-OWNER",
    "immediate_senior_acknowledgment": "false",
    "mandatory_named_owner_assignment": "true",
    "temporary_daily_service_line_review": "false",
    "same_day_unsafe_condition_escalation": "false",
    "note": "Reset triage ownership",
}
IMPACT = {
    "impact_level": "high",
    "affected_speaking_up_confidence": "true",
    "affected_trust_in_management_attention": "true",
    "affected_willingness_to_report_early": "false",
    "affected_intention_to_remain": "false",
    "note": "Worker says they nearly stopped reporting",
}


async def test_example_1_end_to_end_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, smtp_server, chromium
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    case_id = names.ack_case_id(CRITICAL)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        api.app.state.clock = own_env.get_current_time
        day = await next_working_day(own_env)
        await skip_to_as_of(own_env, day)  # a review may not start before its 07:00 as-of
        await seed(sessions, day)
        started = await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")
        assert started.status_code == 202, started.text
        async with browser_page(own_env, sqlite_url, queue, chromium) as (base, page):
            walk = Walk(api, own_env, page, base, inbox, case_id, sessions)
            await from_mail(page, base, inbox, "E-ANALYST", "This is now yours: Mark the review")
            await accessible(page, "e2e1-01-review")
            await mark_reviewed(page, "e2e1-02-review-marked")
            await _supervisor_attributes_from_the_mail(walk)
            await _manager_records_the_impact_from_the_mail(walk)
            await _director_authorizes_the_pathway_from_the_mail(walk)
            await _owner_accepts_from_the_mail_signed_out(walk)
            await _director_publishes_the_weekly_pack_and_its_pdf(walk)

            await wait_stage(api, case_id, "active-recovery")
            actions = ("Corrected triage-control implementation", "Worker communication")
            await mark_actions_done(page, base, inbox, case_id, actions, "e2e1-13-action")
            await skip(own_env, timedelta(days=15))  # the review date passes: nothing closes
            await _owner_records_the_review_and_the_worker_confirms(walk)
    async with sessions() as session:
        answer = await current_records(session, "employee-confirmation-form", [case_id])
    assert answer[case_id]["confirmed"] is True


async def _supervisor_attributes_from_the_mail(w: Walk) -> None:
    await wait_stage(w.api, w.case_id, "triage-attribution")
    mail = "This is now yours: Triage-failure"
    await from_mail(w.page, w.base, w.inbox, "E-SUPERVISOR", mail, w.case_id)
    await accessible(w.page, "e2e1-03-attribution")
    await open_documents(w.page, TRIAGE_DOCS)
    await attribute(
        w.page, "manager_non_review", ("Report chronology", "Risk classification source")
    )
    await w.page.get_by_role("textbox", name="Note").fill("No manager review for 3 days")
    title = "Triage-failure attribution"
    await submit(w.page, f"Submit {title.lower()}", "e2e1-04-attribution-receipt", title)


async def _manager_records_the_impact_from_the_mail(w: Walk) -> None:
    await wait_stage(w.api, w.case_id, "retention-impact")
    mail = "This is now yours: Retention impact"
    await from_mail(w.page, w.base, w.inbox, "E-MANAGER", mail, w.case_id)
    await open_documents(w.page, RETENTION_DOCUMENTS)  # case, reporting profile, concerns
    await complete_step(
        w.page, "Retention impact analysis", IMPACT, "e2e1-05-impact", "e2e1-06-impact-receipt"
    )


async def _director_authorizes_the_pathway_from_the_mail(w: Walk) -> None:
    await wait_stage(w.api, w.case_id, "recovery-pathway")
    mail = "This is now yours: Acknowledgment-recovery"
    await from_mail(w.page, w.base, w.inbox, "E-DIRECTOR", mail)
    await open_documents(w.page, ["reporting control authorization sheet"])
    today = (await w.env.get_current_time()).date()
    dates = days_after(
        today,
        triage_control_implementation_deadline=7,
        worker_communication_deadline=3,
        mandatory_review_date=14,
    )
    await complete_step(
        w.page,
        "Acknowledgment-recovery pathway",
        {**PATHWAY, **dates},
        "e2e1-07-pathway",
        "e2e1-08-pathway-receipt",
    )


async def _owner_accepts_from_the_mail_signed_out(w: Walk) -> None:
    await wait_stage(w.api, w.case_id, "pathway-acceptance")
    mail = "This is now yours: the acknowledgment-recovery pathway"  # acceptance listed first
    accept = await mail_link(w.inbox, "E-OWNER", mail, w.case_id)
    assert accept == f"/app/cases/{w.case_id}/pathway/accept"
    await w.page.context.clear_cookies()  # the owner opens the mail signed out
    await w.page.goto(f"{w.base}{accept}")
    await expect(w.page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    await sign_in_as(w.page, w.base, "E-Owner", accept)
    await accessible(w.page, "e2e1-09-accept")
    await submit(w.page, "Accept the pathway", "e2e1-10-accept-receipt", "Accept the")


async def _director_publishes_the_weekly_pack_and_its_pdf(w: Walk) -> None:
    page = w.page
    await wait_stage(w.api, w.case_id, "awaiting-visibility")
    year, week, _ = (await w.env.get_current_time()).isocalendar()
    pack = f"/app/packs/weekly-sustainability/{year}-W{week:02d}"
    await sign_in_as(page, w.base, "E-Director", pack)
    await expect(page.get_by_role("link", name=CRITICAL)).to_be_visible()
    await accessible(page, "e2e1-11-pack")
    await publish_pack(page, "e2e1-12-pack-published")
    await expect(page.locator("main")).to_contain_text("Published by E-Director on")
    # The pack's PDF link opens with the browser's session (no bearer token).
    pdf_href = (
        await page.locator("#downloads")
        .get_by_role("link", name="PDF", exact=True)
        .get_attribute("href")
    )
    pdf = await page.context.request.get(f"{w.base}{pdf_href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    pdf_text = " ".join(pdftotext(await pdf.body()).split())
    assert "Published by E-Director on" in pdf_text and "awaiting" not in pdf_text.lower()


async def _owner_records_the_review_and_the_worker_confirms(w: Walk) -> None:
    page, case_id = w.page, w.case_id
    title = "Mandatory review of the acknowledgment-recovery pathway"
    review = await from_pathway_mail(page, w.base, w.inbox, title, case_id)  # with the actions
    assert review == f"/app/cases/{case_id}/steps/recovery-review"
    await fill(page, {"outcome": "recovered", "findings": "Triage ownership holds"})
    await accessible(page, "e2e1-14-review")
    await submit(page, f"Submit {title.lower()}", "e2e1-14-review-receipt", title)
    confirm = await mail_link(w.inbox, "W-100", f"Near miss {CRITICAL}")
    assert confirm == f"/app/forms/employee-confirmation?case_ref={case_id}"
    await confirm_resolved(page, w.base, confirm, "W-100", "e2e1-15-confirmation")
    await accessible(page, "e2e1-16-confirmation-receipt")
    await page.get_by_role("link", name="My reports").first.click()
    await expect(page.locator("main")).to_contain_text("Closed (recovered)")
    await expect(page.locator("main")).to_contain_text("Action done")
    await expect(page.locator("main")).to_contain_text(
        "The team looked at what the response to your report meant for staff confidence in "
        "speaking up"
    )
    await expect(page.locator("main")).not_to_contain_text("wanting to stay")
    await accessible(page, "e2e1-17-my-reports")
