"""Right after a review is marked reviewed, its workflow is still opening the cases: My work
says the list will fill in (it showed only some, with no hint), and stops saying so once the
review's workflow has ended. It says so to those it concerns, who marked the review and the
holders of the step its cases open at, never to another example's people (the walk of
8 December showed the closure analyst the daily review's cases opening)."""

from __future__ import annotations

from playwright.async_api import expect
from sqlalchemy import update

from store.db import transaction
from store.tables import Review
from tests.api_support import seed
from tests.browser_support import chromium as chromium  # the fixture
from tests.browser_support import sign_in_as, signed_in_page
from tests.workflow_support import next_working_day, running_worker, skip_to_as_of, wait_for

HINT = "are still being opened; this list will fill in"


async def test_my_work_says_a_marked_reviews_cases_are_still_opening(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        day = await next_working_day(own_env)
        api.app.state.clock = own_env.get_current_time
        await skip_to_as_of(own_env, day)
        await seed(sessions, day)
        started = await api.post(f"/reviews/acknowledgment/{day}", "E-ADMIN")
        assert started.status_code == 202, started.text
        rid = started.json()["review_id"]

        async def generated() -> bool:
            return (await api.get(f"/reviews/{rid}", "E-ANALYST")).status_code == 200

        await wait_for(generated)
        # Marked, as the workflow's update stores it, while the workflow still runs (opening).
        now = await own_env.get_current_time()
        async with transaction(sessions) as session:
            await session.execute(
                update(Review)
                .where(Review.review_id == rid)
                .values(status="reviewed", reviewed_by="E-ANALYST", reviewed_at=now)
            )
        async with signed_in_page(
            chromium, sqlite_url, "E-Supervisor", env=own_env, queue=queue
        ) as (base, page):
            notice = page.get_by_role("status").filter(has_text=HINT)
            await expect(notice).to_contain_text("Cases from the daily acknowledgment review of")
            await sign_in_as(page, base, "E-Analyst", "/app")  # who marked it
            await expect(notice).to_contain_text("Cases from the daily acknowledgment review of")
            for other in ("E-Manager", "E-Director"):  # governance, but not their step
                await sign_in_as(page, base, other, "/app")
                await expect(page.get_by_role("heading", name="My work")).to_be_visible()
                await expect(page.locator("main")).not_to_contain_text(HINT)
            await own_env.client.get_workflow_handle(rid).terminate()  # the workflow has ended
            await page.goto(f"{base}/app")
            await expect(page.get_by_role("heading", name="My work")).to_be_visible()
            await expect(page.locator("main")).not_to_contain_text(HINT)
