"""The owner pickers on a phone (390 px, walk of 8 December): a select as wide as the screen
shows only the start of a long "Name — roles, service line (ID)", so the chosen person is said in
full in a line under it that wraps, on the pathway's owner field and on the administrator's
reassignment, with nothing wider than the screen (no sideways scroll), in real Chromium."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from domain.roles import Role
from store.db import transaction
from tests.api_support import case_at_the_recovery_pathway
from tests.browser_support import PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import case_row, load, staff_rows
from tests.web_support import pages_api
from tests.workflow_support import running_worker

LONG = "E-LONG"
NAME = "Maximiliana Featherstonehaugh-Cholmondeley-Wolfeschlegelsteinhausen"


def _staff() -> list[dict[str, Any]]:
    rows = staff_rows({LONG: [Role.WORKER]})
    for row in rows:
        if row["employee_id"] == LONG:
            row["display_name"] = NAME
    return rows


async def _readable(page: Page, select: str, words: str, shot: str) -> None:
    """Choose the long-named person in SELECT: their words in full under it, on screen."""
    await page.get_by_label(select).select_option(LONG)  # "(required)" may follow
    chosen = page.get_by_text(f"Chosen: {words}")
    await expect(chosen).to_be_visible()
    box = await chosen.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    await accessible(page, shot)


async def test_the_reassignment_picker_says_the_chosen_name_in_full(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", _staff())
    case = case_row("ack-case-NM-PHONE-1", "W-100")
    case.status, case.stage, case.detail = (
        "open",
        "pathway-acceptance",
        {"pathway_owner": "E-OWNER"},
    )
    async with transaction(sessions) as session:
        session.add(case)
    path = f"/app/admin/pathways/{case.case_id}/owner"
    async with signed_in_page(chromium, sqlite_url, "E-Admin", path, viewport=PHONE) as (_, page):
        assert await page.locator(".chosen").is_hidden()  # nobody chosen yet
        await _readable(page, "New owner", f"{NAME} ({LONG})", "owner-picker-reassign-phone")


async def test_the_pathways_owner_field_says_the_chosen_name_in_full(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        case_id = await case_at_the_recovery_pathway(api, own_env, sessions)
        await load(sessions, "staff-directory", _staff())
        path = f"/app/cases/{case_id}/steps/recovery-pathway"
        async with signed_in_page(
            chromium, sqlite_url, "E-Director", path, env=own_env, queue=queue, viewport=PHONE
        ) as (_, page):
            words = f"{NAME} — staff member, HC-NORTH ({LONG})"
            await _readable(page, "Responsible owner", words, "owner-picker-pathway-phone")
