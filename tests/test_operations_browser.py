"""The operator's page in Chromium: health (database, Temporal, the polling worker), a review
left building and since when (its first claim), open breaches, each register's recorded
verification and the mail outbox, with links to the Temporal Web UI; read-only, keyboard
usable, labelled (axe), provider local time; linked for the operator only, refused to others
with the role named in words. Real time-skipping server and worker, SQLite."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.async_api import expect

from api.web.render import local_time
from domain.roles import Role
from store.db import transaction
from store.tables import Review
from tests.browser_support import accessible, sign_in_as, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, staff_rows
from tests.fixtures.api import bearer
from tests.ops_seed import REGISTER, seed_operations
from tests.workflow_support import running_worker

UI = "http://127.0.0.1:8233/namespaces/default"  # development: the dev server's Web UI port
BUILDING = "ack-review-2026-11-30"


async def test_the_operator_sees_health_and_what_to_look_at_in_temporal(
    own_env, sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows({"E-OPERATOR": [Role.OPERATOR]}))
    now = await own_env.get_current_time()
    await seed_operations(sessions, now)
    first_claim = now - timedelta(minutes=20)
    async with transaction(sessions) as session:
        session.add(
            Review(
                review_id=BUILDING, example="acknowledgment", period="2026-11-30", as_of=now,
                generated_at=now - timedelta(minutes=1), building_since=first_claim,
                status="building", summary={"building": "token"},
            )
        )  # fmt: skip
    async with (
        running_worker(own_env, sessions) as queue,
        signed_in_page(chromium, sqlite_url, "E-Operator", env=own_env, queue=queue) as (
            base,
            page,
        ),
    ):
        await expect(page.locator("#nothing + p")).to_contain_text("As operator you run no steps")
        await (
            page.get_by_role("navigation", name="Main")
            .get_by_role("link", name="Operations")
            .click()
        )
        await page.wait_for_url(f"{base}/app/operations")
        health = page.get_by_role("table", name="Readiness checks")
        await expect(health.get_by_role("row", name="Database ok")).to_be_visible()
        await expect(health.get_by_role("row", name="Temporal server ok")).to_be_visible()
        # The time-skipping server cannot describe a task queue: the check says so, as it is.
        worker = health.get_by_role("row").filter(has_text="Polling worker")
        await expect(worker).to_contain_text("unknown: Method temporal.api.workflowservice")
        await expect(page.locator("#health-summary")).to_contain_text("Not ready")

        building = page.get_by_role("table", name="Reviews being built, first claimed first")
        row = building.get_by_role("row").nth(1)
        await expect(row).to_contain_text(local_time(first_claim, "Europe/London"))
        await expect(row).to_contain_text("20 min (stuck)")  # from the first claim, not the last
        link = row.get_by_role("link", name=f"{BUILDING} in the Temporal Web UI")
        await expect(link).to_have_attribute("href", f"{UI}/workflows/{BUILDING}")

        await expect(page.locator("#breach-total")).to_contain_text("4 open breaches")
        # By the review each breach belongs to, as every page names them (not "example").
        await expect(page.locator("#breach-total")).to_contain_text("by review, step and")
        breaches = page.get_by_role("table", name="Open breaches by review, step and escalation")
        await expect(breaches.get_by_role("columnheader", name="Review")).to_be_visible()
        await expect(page.locator("main")).not_to_contain_text("xample")
        board = breaches.get_by_role("row").filter(has_text="escalated to the board")
        await expect(board).to_contain_text("Retention impact")
        await expect(board.get_by_role("cell").nth(3)).to_have_text("2")
        escalated = board.get_by_role("link")
        href = await escalated.get_attribute("href")
        assert href is not None and href.startswith(f"{UI}/workflows?query=Escalated%20%3D%20true")

        registers = page.get_by_role("table", name="Registers and their latest verification")
        await expect(registers.get_by_role("row")).to_have_count(3)  # the heading and two
        await expect(registers).to_contain_text("Near-miss reliability case register")
        await expect(registers.get_by_role("link")).to_have_count(0)  # none run on demand yet
        await expect(registers.get_by_role("row").nth(1)).to_contain_text("None started")
        async with httpx.AsyncClient(base_url=base) as http:  # an inspector asks for one
            url = f"/registers/{REGISTER}/verifications"
            asked = await http.post(url, headers=bearer("E-INSPECTOR") | {"Idempotency-Key": "k"})
            assert asked.status_code in (200, 202), asked.text
        await page.reload()
        run = registers.get_by_role("link", name="verifying the near-miss reliability case")
        await expect(run).to_have_attribute(
            "href", f"{UI}/workflows/register-verification-{REGISTER}"
        )
        await expect(page.locator("#mail-backlog")).to_contain_text(
            "2 mails waiting to be delivered (1 not tried yet, 1 tried and failing); the oldest "
            "has waited 20 min."
        )
        assert await page.locator("main form, main button").count() == 0  # read-only

        await page.keyboard.press("Tab")  # the skip link, then into the page
        await page.keyboard.press("Enter")
        await page.keyboard.press("Tab")
        focused = page.locator(":focus")
        await expect(focused).to_have_text("Temporal Web UI")
        await accessible(page, "operations")

        await sign_in_as(page, base, "E-Inspector", "/app")
        nav = page.get_by_role("navigation", name="Main")
        assert await nav.get_by_role("link", name="Operations").count() == 0
        refused = await page.goto(f"{base}/app/operations")
        assert refused is not None and refused.status == 403
        await expect(page.get_by_role("alert")).to_have_text("Only the operator may see this page.")
