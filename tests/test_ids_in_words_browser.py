"""People see cases by report reference and reviews by title and local date, never a workflow
ID (``ack-case-NM-CRIT-1``, ``ack-review-…``) or a rule version's slug: My work, the case page,
a document, a register and a missing case's page, in Chromium. URLs keep the IDs."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.api_support import open_case
from tests.browser_support import chromium as chromium  # the fixture
from tests.browser_support import signed_in_page
from tests.workflow_support import running_worker

AN_ID = re.compile(r"ack-(case|review)-|-policy-v\d")


async def _no_ids(page: Page) -> None:
    await expect(page.locator("main")).not_to_contain_text(AN_ID)


async def test_pages_name_cases_and_reviews_in_words(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, _ = await open_case(api, own_env, sessions)
        async with signed_in_page(
            chromium, sqlite_url, "E-Supervisor", "/app", env=own_env, queue=queue
        ) as (base, page):
            row = page.get_by_role("link", name="Report NM-CRIT-1", exact=True).first
            await expect(row).to_be_visible()
            await _no_ids(page)

            await page.goto(f"{base}/app/cases/{case_id}")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Report NM-CRIT-1")
            facts = page.locator("dl.facts")
            await expect(facts).to_contain_text(re.compile(r"Daily acknowledgment review of \w"))
            await expect(facts).not_to_contain_text("Example")
            await _no_ids(page)

            await page.goto(f"{base}/app/cases/{case_id}/documents/daily-review")
            await page.get_by_role("button", name="Open daily review").click()
            await expect(page.locator("main")).to_contain_text("Daily acknowledgment review of")
            await _no_ids(page)

            await page.goto(f"{base}/app/registers/near-miss-reliability-case-register")
            await _no_ids(page)

            missing = await page.goto(f"{base}/app/cases/ack-case-NM-99999")
            assert missing is not None and missing.status == 404
            await expect(page.get_by_role("alert")).to_contain_text("report NM-99999")
            await _no_ids(page)
