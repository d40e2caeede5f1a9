"""The daily review in a real browser: the classified list filtered, an exception's sources side
by side, and the analyst marking it reviewed; axe-core finds no serious or critical violation
(at a ward laptop's width and a phone's)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser_support import (
    PHONE,
    accessible,
    another_page,
    signed_in_page,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.web_support import SPLIT, seed_with_exception
from tests.workflow_support import next_working_day, running_worker, skip_to_as_of, wait_for


async def test_review_in_the_browser(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        api.app.state.clock = own_env.get_current_time
        day = await next_working_day(own_env)
        await skip_to_as_of(own_env, day)  # a review may not start before its as-of instant
        await seed_with_exception(sessions, day)
        started = await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")
        assert started.status_code in (200, 202), started.text
        rid = started.json()["review_id"]

        async def generated() -> bool:
            return (await api.get(f"/reviews/{rid}", "E-ANALYST")).status_code == 200

        await wait_for(generated)
        path = f"/app/reviews/{rid}"
        async with signed_in_page(
            chromium, sqlite_url, "E-Analyst", path, env=own_env, queue=queue
        ) as (base, page):
            exceptions = page.get_by_role("region", name="Exceptions (not reconciled)")
            await expect(exceptions).to_contain_text(SPLIT)
            await expect(exceptions).to_contain_text("HC-SOUTH (manager response tracker)")
            await accessible(page, "review-exceptions")

            await page.get_by_label("Classification").select_option("critical")
            await page.get_by_role("button", name="Filter").click()
            await expect(page.locator("main")).to_contain_text("1 report match")
            await page.get_by_role("button", name="Mark reviewed").click()
            await expect(page.get_by_role("status")).to_contain_text("Marked reviewed")
            await expect(page.locator("main")).to_contain_text("reviewed by E-Analyst")
            await expect(page.get_by_role("button", name="Mark reviewed")).to_have_count(0)

            phone = await another_page(page, base, "E-Analyst", path, PHONE)
            await accessible(phone, "review-phone")
            width = await phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the review page scrolls sideways on a phone ({width} px)"
