"""The reporting worker's pages on a 390 px wide phone in Debian Chromium: the confirmation
form reached from the mail link (sign-in first, then back to it), a missing answer shown beside
its question, the receipt, My reports, and the speaking-up form; axe-core finds no serious or
critical violation on any of them, nothing scrolls sideways, and each page is screenshotted."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Page, expect

from store.sources import current_records
from tests.browser_support import (
    LAPTOP,
    PHONE,
    accessible,
    sign_in_as,
    signed_in_page,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import case_row
from tests.worker_pages_support import staff_and_report

LINK = "/app/forms/employee-confirmation?case_ref=ack-case-NM-PHONE-1"


async def fits_the_phone(page: Page, name: str) -> None:
    """No sideways scrolling at 390 px, and axe-core clean (screenshot saved as NAME)."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width}px wide"
    await accessible(page, name)


async def test_worker_pages_on_a_phone(sqlite_url, sessions_for, chromium) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(sqlite_url)
    await staff_and_report(sessions, "NM-PHONE-1", datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    async with sessions() as session, session.begin():
        session.add(case_row("ack-case-NM-PHONE-1", "W-100"))
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    async with signed_in_page(chromium, sqlite_url, None, **phone) as (base, page):
        await page.goto(f"{base}{LINK}")  # the mail's link, signed out
        await expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
        await fits_the_phone(page, "worker-sign-in-phone")
        await sign_in_as(page, base, "W-100", "/app")
        # My work's card: labelled on the phone, without governance's "Exposure —"
        card = page.locator("#my-work tbody tr")
        await expect(card).to_have_count(1)
        seen = " ".join((await card.inner_text()).split())
        assert "Closed " in seen and "waiting for your answer" in seen and "—\n" not in seen
        labels = await card.locator("td").evaluate_all(
            "cells => cells.filter(c => getComputedStyle(c).display !== 'none')"
            ".map(c => getComputedStyle(c, '::before').content)"
        )  # what the phone shows above each value
        # no service-line code: her own report is in her own line (walk 12)
        assert labels == ['"What"', '"Report or case"', '"Status"'], labels
        await fits_the_phone(page, "worker-my-work-phone")
        await page.set_viewport_size(LAPTOP)  # the desktop's table: no empty Exposure column
        heads = await page.locator("#my-work thead th").all_inner_texts()
        assert heads == ["What", "Report or case", "Due", "Working time left",
                         "Escalation"], heads  # fmt: skip
        await accessible(page, "worker-my-work-laptop")
        await page.set_viewport_size(PHONE)
        await page.goto(f"{base}{LINK}")
        await expect(page.get_by_role("heading", name="Is it resolved for you?")).to_be_visible()
        await fits_the_phone(page, "worker-confirmation-phone")

        await page.get_by_role("button", name="Send my answer").click()
        await expect(page.locator("#confirmed-error")).to_have_text("Please answer this question")
        await expect(page.get_by_role("alert")).to_be_visible()
        await fits_the_phone(page, "worker-confirmation-error-phone")

        await page.get_by_label("No, it is not resolved").check()
        await page.get_by_label("Anything you want the reviewers to know").fill("Rota unchanged")
        await page.get_by_role("button", name="Send my answer").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Thank you: your answer is recorded"
        )
        await expect(page.get_by_role("status")).to_contain_text("Not resolved")
        await fits_the_phone(page, "worker-receipt-phone")

        await page.get_by_role("link", name="My reports").first.click()
        await expect(page.get_by_role("heading", name="My reports")).to_be_visible()
        await expect(page.get_by_text("Where it stands:")).to_be_visible()
        await expect(page.get_by_text("not resolved", exact=True)).to_be_visible()
        await fits_the_phone(page, "worker-my-reports-phone")

        await page.get_by_role("link", name="Speaking up", exact=True).click()
        await page.get_by_label("4 — mostly").check()
        await page.get_by_label("Which kind of risk").select_option("manual_handling")
        await fits_the_phone(page, "worker-speaking-up-phone")
        await page.keyboard.press("Tab")
        await page.get_by_role("button", name="Send my answer").press("Enter")
        await expect(page.get_by_role("status")).to_contain_text("4 out of 5")
        await fits_the_phone(page, "worker-speaking-up-receipt-phone")
    async with sessions() as session:
        answer = await current_records(session, "employee-confirmation-form", [LINK[-19:]])
    assert answer["ack-case-NM-PHONE-1"]["confirmed"] is False
