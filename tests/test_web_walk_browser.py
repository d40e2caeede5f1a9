"""A step form in Debian Chromium with scripts off: opening a prerequisite document from the
form keeps what was typed (the Open buttons belong to the form), and shows the
document there, its wide table scrolling in its own box (no sideways page scroll)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.api_support import open_case
from tests.browser_support import (
    SCREENSHOTS,
    signed_in_page,
)
from tests.browser_support import chromium as chromium  # the fixture
from tests.workflow_support import running_worker


async def test_open_keeps_what_was_typed_without_javascript(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, _view = await open_case(api, own_env, sessions)
        step = f"/app/cases/{case_id}/steps/triage-attribution"
        async with signed_in_page(
            chromium,
            sqlite_url,
            "E-Supervisor",
            step,
            env=own_env,
            queue=queue,
            java_script_enabled=False,  # axe-core needs scripts: checked on other pages
        ) as (_base, page):
            note = page.get_by_role("textbox", name="Note")
            await note.fill("Typed before opening the chronology")
            await page.get_by_role("combobox", name="Source", exact=True).first.select_option(
                "manager_non_review"
            )
            await page.get_by_role("button", name="Open report chronology").click()
            await expect(page.get_by_role("status")).to_contain_text(
                "opening of this document is recorded"
            )
            await expect(page.locator("#shown-document")).to_be_visible()
            for width in (1280, 1024):  # the chronology's wide table scrolls in its own box
                await page.set_viewport_size({"width": width, "height": 800})
                wide = await page.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth"
                )
                assert wide <= 0, f"the page scrolls sideways by {wide}px at {width}px"
            await expect(note).to_have_value("Typed before opening the chronology")
            await expect(
                page.get_by_role("combobox", name="Source", exact=True).first
            ).to_have_value("manager_non_review")
            # The opened document can now be cited, and the other typed values are still there.
            await expect(
                page.get_by_role("checkbox", name="Report chronology", exact=True).first
            ).to_be_visible()
            await page.screenshot(path=str(SCREENSHOTS / "step-document-opened-no-js.png"))
