"""A step done in a real browser: the case page, documents opened, a rejection shown next to
its field, the form walked with the keyboard and submitted with Enter, and the receipt; axe-core
finds no serious or critical violation on the case, step, document, receipt and review pages."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.api_support import TRIAGE_DOCS, open_case
from tests.browser_support import (
    LAPTOP,
    PHONE,
    accessible,
    signed_in_page,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.workflow_support import running_worker

FOCUSABLE = "input:not([type=hidden]), select, textarea, button"


async def test_triage_attribution_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        rid = view["review_id"]
        async with signed_in_page(
            chromium, sqlite_url, "E-Supervisor", f"/app/cases/{case_id}", env=own_env, queue=queue
        ) as (base, page):
            await expect(page.get_by_role("heading", name="Report NM-CRIT-1")).to_be_visible()
            await accessible(page, "case")

            await _documents_opened_from_the_step(page)
            await _empty_note_refused_beside_it(page)
            await _submitted_with_the_keyboard_only(page)

            await page.goto(f"{base}/app/reviews/{rid}")
            await expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Daily acknowledgment review"
            )
            await accessible(page, "review")
            await page.goto(f"{base}/app/reviews")
            await accessible(page, "reviews")


async def _documents_opened_from_the_step(page: Page) -> None:
    """From the case page to the step; each document opened (recorded) and back."""
    await page.get_by_role("link", name="Triage-failure attribution").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Triage-failure attribution")
    await accessible(page, "step")
    for number, doc in enumerate(TRIAGE_DOCS):
        label = doc.replace("-", " ")
        await page.get_by_role("button", name=f"Open {label}").focus()
        await page.keyboard.press("Enter")  # the keyboard's Open: focus stays with the document
        await expect(page.get_by_role("status")).to_contain_text(
            "opening of this document is recorded"
        )
        shown = page.locator("#shown-h")
        await expect(shown).to_have_text(label.capitalize())
        await expect(shown).to_be_focused()
        await expect(shown).to_be_in_viewport()
        assert page.url.endswith("#shown-h"), page.url  # in view and focused without JavaScript too
        if doc in ("daily-review", "risk-classification-source"):
            # a classified report has no exception reasons: what made it critical, never "None"
            document = page.locator("#shown-document")
            await expect(document).not_to_contain_text(re.compile(r"\bNone\b"))
            await expect(document).to_contain_text("Acknowledgment over threshold")
        if number == 0:
            await accessible(page, "document")
            await page.set_viewport_size(PHONE)  # compact: each fact one line, label beside
            document = page.locator("#shown-document")
            height = await document.evaluate("d => d.getBoundingClientRect().height")
            assert height <= 2400, f"the daily review document is {height} px on a phone"
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the document scrolls sideways on a phone ({width} px)"
            await accessible(page, "document-phone")
            await page.set_viewport_size(LAPTOP)
        await page.get_by_role("link", name="Back").click()
    await expect(page.locator(".badge", has_text="not opened")).to_have_count(0)


async def _empty_note_refused_beside_it(page: Page) -> None:
    """Sources and evidence chosen, the note left empty: 422 beside it, nothing recorded."""
    source = page.get_by_role("combobox", name="Source", exact=True).first
    await source.select_option("manager_non_review")
    await page.get_by_role("checkbox", name="Report chronology", exact=True).first.check()
    await page.get_by_role("checkbox", name="Risk classification source", exact=True).first.check()
    await page.get_by_role("button", name="Submit triage-failure attribution").click()
    note_error = page.locator("#f-note-error")
    await expect(note_error).to_be_visible()  # the note was left empty: 422 beside it
    await expect(page.get_by_role("textbox", name="Note")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("alert")).to_contain_text("Nothing was recorded")
    await accessible(page, "step-rejected")


async def _submitted_with_the_keyboard_only(page: Page) -> None:
    """From the first source select, Tab to each control, then Enter: the receipt."""
    # Keyboard only: from the first source select, Tab to each control, then Enter.
    await page.get_by_role("combobox", name="Source", exact=True).first.focus()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Space")  # the evidence checkbox after the source select
    await expect(
        page.get_by_role("checkbox", name="Daily review", exact=True).first
    ).to_be_checked()
    await page.get_by_role("textbox", name="Note").focus()
    await page.keyboard.type("No manager review for three days")
    for _ in range(40):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement.textContent")
        if "Submit triage-failure attribution" in (focused or ""):
            break
    else:
        raise AssertionError("the submit button is not reachable with Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recorded: Triage-failure attribution"
    )
    await expect(page.locator("main")).to_contain_text("on time")
    await expect(page.locator("main")).to_contain_text("Near-miss reliability case register")
    # what was cited, as it was chosen: each document by its title, whole or one entry of it
    evidence = page.get_by_role("list").filter(has_text="Daily review (the whole document")
    await expect(evidence).to_contain_text("Daily review (the whole document: it has no separate")
    await expect(evidence).to_contain_text("Risk classification source (the whole document")
    await expect(evidence.get_by_role("listitem")).to_have_count(3)
    await expect(page.locator("main")).not_to_contain_text("Entry")
    await accessible(page, "receipt")
