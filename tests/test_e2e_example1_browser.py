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

import re
from datetime import timedelta
from email.message import Message

from playwright.async_api import Page, async_playwright, expect

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from store.sources import current_records
from tests.api_support import CRITICAL, TRIAGE_DOCS, seed, wait_stage
from tests.browser_support import CHROMIUM_ARGS, accessible, serve_pages, sign_in_as
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import email
from tests.pdf_support import pdftotext
from tests.workflow_support import (
    next_working_day,
    running_worker,
    skip,
    skip_to_as_of,
    wait_for,
)

LINK = re.compile(r"http://127\.0\.0\.1:8000(/app/\S+)")


def link_in(message: Message) -> str:
    """The page path a mail links to."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    match = LINK.search(payload.decode())
    assert match, payload
    return match.group(1)


async def mail_link(inbox, who: str, subject: str, about: str = "") -> str:  # type: ignore[no-untyped-def]
    """The link of the mail to WHO whose subject starts with SUBJECT (and names ABOUT)."""

    async def found() -> str | None:
        for message in inbox.to(email(who)):
            text = " ".join(message["Subject"].split())
            if text.startswith(subject) and about in text:
                return link_in(message)
        return None

    path: str = await wait_for(found)
    return path


async def fill(page: Page, values: dict[str, str]) -> None:
    """Fill named controls as a person would: choose, tick or type (read-only ones are kept)."""
    for name, value in values.items():
        control = page.locator(f'[name="{name}"]').first
        tag = await control.evaluate("e => e.tagName.toLowerCase()")
        kind = await control.get_attribute("type")
        if await control.get_attribute("readonly") is not None:
            continue
        if tag == "select":
            await control.select_option(value)
        elif kind == "radio":
            await page.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            await control.set_checked(value == "true")
        else:
            await control.fill(value)


async def recorded(page: Page, name: str, title: str) -> None:
    await expect(page.get_by_role("heading", level=1)).to_contain_text(f"Recorded: {title}")
    await accessible(page, name)


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
        clock = own_env.get_current_time
        async with (
            serve_pages(sqlite_url, own_env.client, queue, clock) as base,
            async_playwright() as pw,
        ):
            browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1024, "height": 800})

            review = await mail_link(inbox, "E-ANALYST", "This is now yours: Mark the review")
            await sign_in_as(page, base, "E-Analyst", review)
            await accessible(page, "e2e1-01-review")
            await page.get_by_role("button", name="Mark reviewed").click()
            await expect(page.get_by_role("status")).to_contain_text("Marked reviewed")
            await accessible(page, "e2e1-02-review-marked")

            await wait_stage(api, case_id, "triage-attribution")
            step = await mail_link(
                inbox, "E-SUPERVISOR", "This is now yours: Triage-failure", case_id
            )
            await sign_in_as(page, base, "E-Supervisor", step)
            await accessible(page, "e2e1-03-attribution")
            for doc in TRIAGE_DOCS:
                await page.get_by_role("button", name=f"Open {doc.replace('-', ' ')}").click()
                await page.get_by_role("link", name="Back").click()
            await page.get_by_label("Source", exact=True).first.select_option("manager_non_review")
            for document in ("Report chronology", "Risk classification source"):
                await page.get_by_role("checkbox", name=document, exact=True).first.check()
            await page.get_by_role("textbox", name="Note").fill("No manager review for 3 days")
            await page.get_by_role("button", name="Submit triage-failure attribution").click()
            await recorded(page, "e2e1-04-attribution-receipt", "Triage-failure attribution")

            await wait_stage(api, case_id, "retention-impact")
            step = await mail_link(
                inbox, "E-MANAGER", "This is now yours: Retention impact", case_id
            )
            await sign_in_as(page, base, "E-Manager", step)
            for doc in RETENTION_DOCUMENTS:  # the case, the reporting profile, the concerns
                await page.get_by_role("button", name=f"Open {doc.replace('-', ' ')}").click()
                await page.get_by_role("link", name="Back").click()
            await fill(
                page,
                {
                    "impact_level": "high",
                    "affected_speaking_up_confidence": "true",
                    "affected_trust_in_management_attention": "true",
                    "affected_willingness_to_report_early": "false",
                    "affected_intention_to_remain": "false",
                    "note": "Worker says they nearly stopped reporting",
                },
            )
            await accessible(page, "e2e1-05-impact")
            await page.get_by_role("button", name="Submit retention impact analysis").click()
            await recorded(page, "e2e1-06-impact-receipt", "Retention impact analysis")

            await wait_stage(api, case_id, "recovery-pathway")
            step = await mail_link(
                inbox, "E-DIRECTOR", "This is now yours: Acknowledgment-recovery"
            )
            await sign_in_as(page, base, "E-Director", step)
            await page.get_by_role(
                "button", name="Open reporting control authorization sheet"
            ).click()
            await page.get_by_role("link", name="Back").click()
            today = (await own_env.get_current_time()).date()
            await fill(
                page,
                {
                    "pathway_type": "triage_control_reset",
                    "responsible_owner_id": "E-OWNER",
                    "triage_control_implementation_deadline": str(today + timedelta(days=7)),
                    "worker_communication_deadline": str(today + timedelta(days=3)),
                    "mandatory_review_date": str(today + timedelta(days=14)),
                    "immediate_senior_acknowledgment": "false",
                    "mandatory_named_owner_assignment": "true",
                    "temporary_daily_service_line_review": "false",
                    "same_day_unsafe_condition_escalation": "false",
                    "note": "Reset triage ownership",
                },
            )
            await accessible(page, "e2e1-07-pathway")
            await page.get_by_role("button", name="Submit acknowledgment-recovery pathway").click()
            await recorded(page, "e2e1-08-pathway-receipt", "Acknowledgment-recovery pathway")

            await wait_stage(api, case_id, "pathway-acceptance")
            accept = await mail_link(inbox, "E-OWNER", "This is now yours: Accept the", case_id)
            assert accept == f"/app/cases/{case_id}/pathway/accept"
            await page.context.clear_cookies()  # the owner opens the mail signed out
            await page.goto(f"{base}{accept}")
            await expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
            await sign_in_as(page, base, "E-Owner", accept)
            await accessible(page, "e2e1-09-accept")
            await page.get_by_role("button", name="Accept the pathway").click()
            await recorded(page, "e2e1-10-accept-receipt", "Accept the")

            await wait_stage(api, case_id, "awaiting-visibility")
            year, week, _ = (await own_env.get_current_time()).isocalendar()
            pack = f"/app/packs/weekly-sustainability/{year}-W{week:02d}"
            await sign_in_as(page, base, "E-Director", pack)
            await expect(page.get_by_role("link", name=CRITICAL)).to_be_visible()
            await accessible(page, "e2e1-11-pack")
            await page.get_by_role("button", name="Publish this pack").click()
            await expect(page.get_by_role("status")).to_contain_text("Published")
            await expect(page.locator("main")).to_contain_text("Published by E-Director on")
            await accessible(page, "e2e1-12-pack-published")
            # The pack's PDF link opens with the browser's session (no bearer token).
            pdf_href = await page.get_by_role("link", name="PDF", exact=True).get_attribute("href")
            pdf = await page.context.request.get(f"{base}{pdf_href}")
            assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
            pdf_text = " ".join(pdftotext(await pdf.body()).split())
            assert "Published by E-Director on" in pdf_text and "awaiting" not in pdf_text.lower()

            await wait_stage(api, case_id, "active-recovery")
            for title in ("Corrected triage-control implementation", "Worker communication"):
                action = await mail_link(inbox, "E-OWNER", f"This is now yours: {title}", case_id)
                await sign_in_as(page, base, "E-Owner", action)
                await page.get_by_role("textbox", name="Note").fill(f"{title}: done")
                await page.get_by_role("button", name=f"Mark “{title}” done").click()
                await recorded(page, f"e2e1-13-action-{title.split()[0].lower()}", title)

            await skip(own_env, timedelta(days=15))  # the review date passes: nothing closes
            title = "Mandatory review of the acknowledgment-recovery pathway"
            review = await mail_link(inbox, "E-OWNER", f"This is now yours: {title}", case_id)
            assert review == f"/app/cases/{case_id}/steps/recovery-review"
            await sign_in_as(page, base, "E-Owner", review)
            await fill(page, {"outcome": "recovered", "findings": "Triage ownership holds"})
            await accessible(page, "e2e1-14-review")
            await page.get_by_role("button", name=f"Submit {title.lower()}").click()
            await recorded(page, "e2e1-14-review-receipt", title)
            confirm = await mail_link(inbox, "W-100", f"Near miss {CRITICAL}")
            assert confirm == f"/app/forms/employee-confirmation?case_ref={case_id}"
            await page.context.clear_cookies()
            await page.goto(f"{base}{confirm}")
            await sign_in_as(page, base, "W-100", confirm)
            await page.get_by_label("Yes, it is resolved").check()
            await accessible(page, "e2e1-15-confirmation")
            await page.get_by_role("button", name="Send my answer").click()
            await expect(page.get_by_role("status")).to_contain_text("Resolved")
            await accessible(page, "e2e1-16-confirmation-receipt")
            await page.get_by_role("link", name="My reports").first.click()
            await expect(page.locator("main")).to_contain_text("Closed (recovered)")
            await expect(page.locator("main")).to_contain_text("Action done")
            await accessible(page, "e2e1-17-my-reports")
            await browser.close()
    async with sessions() as session:
        answer = await current_records(session, "employee-confirmation-form", [case_id])
    assert answer[case_id]["confirmed"] is True
