"""Only the submitter of an open step opens its documents (``domain.openings``): anyone else, or
the submitter before the step opens, is refused on the API (403 / 409) and gets no Open button on
the pages, only the reason; nothing lands in ``document_openings`` or the case's history."""

from __future__ import annotations

from playwright.async_api import expect
from sqlalchemy import func, select

from store.tables import CaseEvent, DocumentOpening
from tests.api_support import open_case
from tests.browser_support import SCREENSHOTS, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.workflow_support import running_worker


async def _recorded(sessions, case_id: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        openings = await session.scalar(
            select(func.count())
            .select_from(DocumentOpening)
            .where(DocumentOpening.case_id == case_id)
        )
        events = await session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.kind == "document_opened")
        )
    return int(openings or 0), int(events or 0)


async def test_only_the_open_steps_submitter_records_an_opening(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, _view = await open_case(api, own_env, sessions)  # at triage attribution
        url = f"/cases/{case_id}/documents/reporting-profile/open"
        other = await api.post(url, "E-SUPERVISOR")  # not theirs: the retention manager's
        assert other.status_code == 403, other.text
        assert "Retention" in other.json()["detail"], other.text
        early = await api.post(url, "E-MANAGER")  # theirs, but step 3 is not open yet
        assert early.status_code == 409, early.text
        assert await _recorded(sessions, case_id) == (0, 0)

        step = f"/app/cases/{case_id}/steps/retention-impact"
        async with signed_in_page(
            chromium, sqlite_url, "E-Supervisor", step, env=own_env, queue=queue
        ) as (base, page):
            await expect(page.locator("#docs-why")).to_contain_text("Only the")
            await expect(page.locator("#docs-why")).to_contain_text("while this step is open")
            await expect(page.get_by_role("button", name="Open reporting profile")).to_have_count(0)
            await page.screenshot(path=str(SCREENSHOTS / "step-documents-not-yours.png"))
            await page.goto(f"{base}/app/cases/{case_id}/documents/reporting-profile")
            await expect(page.get_by_role("status")).to_contain_text("only the", ignore_case=True)
            await expect(page.get_by_role("button", name="Open reporting profile")).to_have_count(0)
        assert await _recorded(sessions, case_id) == (0, 0)

        own = await api.post(f"/cases/{case_id}/documents/daily-review/open", "E-SUPERVISOR")
        assert own.status_code == 200, own.text  # the open step's submitter still opens it
        assert (await _recorded(sessions, case_id))[0] == 1
