"""A care worker's own pages on a phone (the walk of 8 December): where to report a new near
miss (the provider's incident platform, named and linked when configured, a plain sentence when
not: this service only receives reports from it, SOURCES.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import expect
from pydantic import ValidationError

from config.settings import Settings
from tests.browser_support import PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, report_rows, staff_rows
from tests.fixtures.temporal import make_test_settings

PHONE_PAGE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
SUBMITTED = datetime(2026, 12, 1, 9, 40, tzinfo=UTC)
PLATFORM = ("Datix Cloud", "https://incidents.example-care.org.uk/new")


async def test_my_reports_says_where_to_report_when_nothing_is_configured(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    rows = report_rows("NM-HERE-1", submitted_at=SUBMITTED, ack_minutes=60)
    await load(sessions, "incident-platform", [rows["incident-platform"]])
    async with signed_in_page(chromium, sqlite_url, "W-100", "/app/my-reports", **PHONE_PAGE) as (
        _base,
        page,
    ):
        here = page.locator("#report-here")
        await expect(here).to_contain_text("To report a near miss:")
        await expect(here).to_contain_text("the incident reporting system your service uses")
        await expect(here).to_contain_text("This service does not take reports itself")
        await expect(here.get_by_role("link")).to_have_count(0)
        await accessible(page, "my-reports-report-here")


async def test_a_workers_pages_link_the_configured_incident_platform(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium, monkeypatch
) -> None:
    monkeypatch.setenv("NEARMISS_INCIDENT_PLATFORM_NAME", PLATFORM[0])
    monkeypatch.setenv("NEARMISS_INCIDENT_PLATFORM_URL", PLATFORM[1])
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    async with signed_in_page(chromium, sqlite_url, "W-100", "/app", **PHONE_PAGE) as (
        base,
        page,
    ):
        await expect(page.get_by_role("heading", name="My work")).to_be_visible()
        link = page.locator("#report-here").get_by_role("link", name=PLATFORM[0])
        await expect(link).to_have_attribute("href", PLATFORM[1])
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"My work scrolls sideways on a phone ({width} px)"
        await accessible(page, "my-work-worker-report-here")

        await page.goto(f"{base}/app/my-reports")
        link = page.locator("#report-here").get_by_role("link", name=PLATFORM[0])
        await expect(link).to_have_attribute("href", PLATFORM[1])


def test_the_platform_address_must_be_a_web_address() -> None:
    assert make_test_settings(incident_platform_url=PLATFORM[1]).incident_platform_url
    with pytest.raises(ValidationError, match="INCIDENT_PLATFORM_URL"):
        Settings.model_validate(
            {**make_test_settings().model_dump(), "incident_platform_url": "javascript:alert(1)"}
        )
