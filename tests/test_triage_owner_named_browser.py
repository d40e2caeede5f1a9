"""A care worker's My reports (the walk of 8 December): when a triage owner was named for their
report, at its time from the manager response tracker's ``triage_owner_assigned_at``
(SOURCES.md), named by the role and never the person, as every other entry there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from tests.browser_support import PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, report_rows, staff_rows

PHONE_PAGE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
SUBMITTED = datetime(2026, 12, 1, 9, 40, tzinfo=UTC)


def _milestones(texts: list[str]) -> list[str]:
    return [" ".join(t.split()) for t in texts]


async def test_my_reports_says_when_a_triage_owner_was_named(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    rows = report_rows("NM-NAMED-1", submitted_at=SUBMITTED, ack_minutes=60)
    tracker = rows["manager-response-tracker"]
    tracker["triage_owner_assigned_at"] = (SUBMITTED + timedelta(minutes=95)).isoformat()
    await load(sessions, "incident-platform", [rows["incident-platform"]])
    await load(sessions, "manager-response-tracker", [tracker])
    async with signed_in_page(chromium, sqlite_url, "W-100", "/app/my-reports", **PHONE_PAGE) as (
        _base,
        page,
    ):
        main = page.locator("main")
        items = await page.locator("ol.milestones li").all_inner_texts()
        # 09:40 UTC is 09:40 in London in December; acknowledged 10:40, named 11:15
        assert _milestones(items) == [
            "Tue 1 Dec, 09:40 — You reported it",
            "Tue 1 Dec, 10:40 — Acknowledged",
            "Tue 1 Dec, 11:15 — A triage owner was named to look into it",
        ], items
        await expect(main).not_to_contain_text("E-Owner")  # the role, never the person
        await expect(main).not_to_contain_text("Someone was named")
        await accessible(page, "my-reports-triage-owner-named")
