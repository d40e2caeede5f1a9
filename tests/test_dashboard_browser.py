"""The reporting-confidence dashboard in a real browser (Debian Chromium driven by Playwright),
served by uvicorn on 127.0.0.1 against a real database, Temporal test server and worker."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from playwright.async_api import async_playwright, expect

from domain import names
from domain.report import day_words, local_minute
from tests.api_support import CRITICAL, seed
from tests.browser_support import CHROMIUM_ARGS
from tests.browser_support import chromium as chromium  # the fixture
from tests.dashboard_support import (
    CITY,
    cells,
    open_trends,
    serve,
    trends_browser,
    working_hours,
)
from tests.fixtures.api import bearer, token
from tests.workflow_support import (
    next_working_day,
    running_worker,
    skip_to_as_of,
    wait_for,
)


async def test_analyst_marks_review_reviewed_and_supervisor_sees_the_step(
    own_env, sqlite_url, sessions_for, tmp_path, chromium
):
    sessions = sessions_for(sqlite_url)
    day = await next_working_day(own_env)
    await seed(sessions, day)
    async with (
        running_worker(own_env, sessions) as queue,
        serve(sqlite_url, own_env.client, queue, own_env.get_current_time) as base,
        httpx.AsyncClient(base_url=base) as http,
        async_playwright() as pw,
    ):
        await skip_to_as_of(own_env, day)
        started = await http.post(f"/reviews/acknowledgment/{day}", headers=bearer("E-ADMIN"))
        assert started.status_code == 202, started.text
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{base}/dashboard#token={token('E-ANALYST')}&date={day}")
        await expect(page.locator("#review-status")).to_contain_text("generated", timeout=15_000)
        await expect(page.locator("#review-counts")).to_contain_text("critical: 1")
        await page.click("#mark-reviewed")
        await expect(page.locator("#review-status")).to_contain_text("reviewed", timeout=15_000)
        review = await http.get(f"/reviews/ack-review-{day}", headers=bearer("E-INSPECTOR"))
        assert review.json()["status"] == "reviewed"
        assert review.json()["reviewed_by"] == "E-ANALYST"
        # As the staff pages say it: the review's name, the person's name, provider local time
        # (London), never the UTC ISO instant.
        reviewed_at = datetime.fromisoformat(review.json()["reviewed_at"])
        await expect(page.locator("#review-status")).to_have_text(
            f"Daily acknowledgment review of {day_words(day)}: reviewed by E-Analyst "
            f"(E-ANALYST) on {local_minute(reviewed_at, 'Europe/London')}",
            timeout=15_000,
        )

        case_id = names.ack_case_id(CRITICAL)

        async def case_projected() -> bool:
            cases = await http.get("/cases", headers=bearer("E-SUPERVISOR"))
            return any(
                c["case_id"] == case_id and c["stage"] == "triage-attribution" for c in cases.json()
            )

        await wait_for(case_projected)
        supervisor = await browser.new_page()
        await supervisor.goto(f"{base}/dashboard#token={token('E-SUPERVISOR')}&date={day}")
        # Words, as "My work" and the case page give them: the report's reference linking to
        # its case page, the step's title, the due time in London, working time left, the
        # escalation in words (not "triage-attribution", an ISO instant, "22 h", "0").
        step_row = supervisor.locator("#steps tr", has_text=CRITICAL)
        await expect(step_row).to_contain_text("Triage-failure attribution", timeout=15_000)
        case = (await http.get(f"/cases/{case_id}", headers=bearer("E-SUPERVISOR"))).json()
        due = local_minute(datetime.fromisoformat(case["deadline"]), "Europe/London")
        await expect(step_row.locator("td")).to_have_text(
            [CRITICAL, "Triage-failure attribution", due, re.compile(r"^\d.* left$"), "on time"]
        )
        assert case["time_left_words"].endswith(" left") and case["level_words"] == "on time"
        link = step_row.get_by_role("link", name=CRITICAL)
        await expect(link).to_have_attribute("href", f"/app/cases/{case_id}")
        await expect(supervisor.locator("#steps")).not_to_contain_text(case_id)
        assert not await supervisor.locator("#mark-reviewed").is_visible()  # analyst only
        await step_row.locator("td").nth(1).click()
        # the timeline in the case page's words: no event codes, IDs or JSON
        timeline = supervisor.locator("#timeline")
        await expect(timeline).to_contain_text("Triage-failure attribution opened, due ")
        for code in ("obligation_opened", "triage-attribution", case_id, "{"):
            await expect(timeline).not_to_contain_text(code)
        await expect(supervisor.locator("#timeline-case")).to_have_text(
            f"{CRITICAL} (Triage-failure attribution)"
        )
        first = supervisor.locator("#timeline tr td").first
        await expect(first).to_have_text(
            re.compile(r"^[A-Z][a-z]{2} \d+ [A-Z][a-z]{2} \d{4}, \d\d:\d\d$")
        )
        await supervisor.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        await browser.close()


async def test_reader_sees_trends_per_grouping_and_a_worker_does_not(
    own_env, sqlite_url, sessions_for, chromium
):
    browse = trends_browser(own_env, sessions_for, sqlite_url, "dashboard-trends", chromium)
    async with browse as (base, browser, today):
        page, errors = await open_trends(browser, base)
        await expect(page.locator("#trends")).to_be_visible(timeout=15_000)
        await page.select_option("#trends-range", "14")  # the default shows current reviews
        label = page.locator("#trends-range-label")
        await expect(label).to_have_text(
            f"{day_words(today - timedelta(days=13))} to {day_words(today)}"
        )

        await expect(cells(page, "#trend-ack tr", CITY)).to_have_text(
            [CITY, "1", "2", "2", working_hours("54.0")]
        )  # 36 h and 72 h unacknowledged: median 54 h
        await expect(cells(page, "#trend-ack tr", "HC-NORTH")).to_have_text(
            ["HC-NORTH", "1", "2", "1", working_hours("36.3")]
        )  # 72 h and 30 min: 2175 min
        assert await page.locator("#trends b").count() == 0
        await expect(page.locator("#trend-ack-notes")).to_contain_text(
            "Time to a named triage owner per week, in hours with working hours beside them: "
            "the chart above."
        )
        await expect(cells(page, "#trend-learning tr", "HC-NORTH")).to_have_text(
            ["HC-NORTH", "1", "3", "67% (2/3; 95% CI 21–94%)", "50% (1/2; 95% CI 9–91%)",
             "33% (1/3; 95% CI 6–79%)"]
        )  # fmt: skip
        await expect(cells(page, "#trend-closure tr", "HC-NORTH")).to_have_text(
            ["HC-NORTH", "1", "3", "67% (2/3; 95% CI 21–94%)", "33% (1/3; 95% CI 6–79%)"]
        )
        await expect(cells(page, "#trend-workforce tr", "HC-NORTH")).to_have_text(
            ["HC-NORTH", "3.00 (2)", "1.00", "0% (0/1; 95% CI 0–79%)", "0% (0/1; 95% CI 0–79%)"]
        )
        await expect(cells(page, "#trend-workforce tr", CITY).nth(1)).to_have_text("5.00 (1)")

        await page.select_option("#trends-group", "risk_domain")
        await expect(page.locator("#trend-ack-head")).to_contain_text("Risk domain")
        await expect(cells(page, "#trend-ack tr", "medication")).to_have_text(
            ["medication", "1", "3", "2", working_hours("36.0")]
        )
        await expect(cells(page, "#trend-ack tr", "documentation")).to_have_text(
            ["documentation", "1", "1", "1", working_hours("72.0")]
        )
        notes = page.locator("#trend-workforce-notes")
        await expect(notes).to_contain_text("Not available: leavers")
        await page.select_option("#trends-range", "90")
        await expect(label).to_have_text(
            f"{day_words(today - timedelta(days=89))} to {day_words(today)}"
        )
        await expect(cells(page, "#trend-learning tr", "medication")).to_have_text(
            ["medication", "2", "4", "50% (2/4; 95% CI 15–85%)", "50% (1/2; 95% CI 9–91%)",
             "25% (1/4; 95% CI 5–70%)"]
        )  # fmt: skip

        async with page.expect_response(lambda r: "/analytics/" in r.url) as answer:
            await page.fill("#token", token("W-100"))
            await page.click("#signin")
        assert (await answer.value).status == 403
        await expect(page.locator("#who")).to_contain_text("W-100")
        await expect(page.locator("#trends")).to_be_hidden()
        await expect(page.locator("#trend-ack tr")).to_have_count(0)  # the reader's figures went
        assert errors == []
