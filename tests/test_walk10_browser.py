"""What the tenth walk saw, checked in Chromium as the people see it: a staff form refused in
the same plain words as the worker forms ("Please answer this question", never pydantic's
"Field required"); a pack period that does not exist is a page not found, in words."""

from __future__ import annotations

from playwright.async_api import expect

from tests.api_support import open_case
from tests.browser_support import chromium as chromium  # the fixture
from tests.browser_support import signed_in_page
from tests.workflow_support import running_worker


async def test_a_staff_form_and_a_bad_pack_period_in_plain_words(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, _view = await open_case(api, own_env, sessions)
        step = f"/app/cases/{case_id}/steps/triage-attribution"
        async with signed_in_page(
            chromium, sqlite_url, "E-Supervisor", step, env=own_env, queue=queue
        ) as (base, page):
            # Submitted empty: each question says so beside it, as the worker forms say it.
            await page.get_by_role("button", name="Submit triage-failure attribution").click()
            body = page.locator("main")
            await expect(body).to_contain_text("Please answer this question")
            await expect(body).not_to_contain_text("Field required")

            await page.goto(f"{base}/app/packs/weekly-sustainability/2026-W99")
            heading = page.get_by_role("heading", level=1)
            await expect(heading).to_have_text("Not found")
            await expect(heading).not_to_contain_text("correct the form")
            await expect(body).to_contain_text(
                "The weekly workforce sustainability review pack has no period 2026-W99"
            )
