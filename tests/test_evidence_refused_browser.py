"""The inspection evidence pack's form (My work's Evidence box) refused in a real browser: To
before From or after today (the app's clock), or a From left empty or not a date, shows the form
again with the values as asked and the reason beside the field it concerns (status 422, the
analytics pages' words), not an error page of field keys; corrected, it gives the pack. A JSON
client keeps the API's 422 body."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser_support import LAPTOP, PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.factories import load, staff_rows
from tests.pack_support import evidence_clock


async def test_a_refused_evidence_range_is_the_form_with_the_reason(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, chromium
) -> None:
    await load(sessions_for(sqlite_url), "staff-directory", staff_rows())
    # The app's one clock says 1 December 2026, 09:00 (London): the 2nd is still to come.
    async with signed_in_page(chromium, sqlite_url, "E-Inspector", clock=evidence_clock) as (
        base,
        page,
    ):
        box = page.get_by_role("form", name="Inspection evidence pack")
        await box.get_by_label("From", exact=True).fill("2026-11-30")
        await box.get_by_label("To", exact=True).fill("2026-09-01")
        await box.get_by_label("As", exact=True).select_option("html")
        async with page.expect_response(lambda r: "/evidence?" in r.url) as answer:
            await box.get_by_role("button", name="Download").click()
        assert (await answer.value).status == 422
        await expect(page.get_by_role("heading", level=1)).to_have_text("Inspection evidence pack")
        box = page.get_by_role("form", name="Inspection evidence pack")
        to = box.get_by_label("To", exact=True)
        await expect(to).to_have_value("2026-09-01")  # as asked
        await expect(box.get_by_label("From", exact=True)).to_have_value("2026-11-30")
        await expect(box.get_by_label("As", exact=True)).to_have_value("html")
        await expect(to).to_have_attribute("aria-invalid", "true")
        await expect(to).to_have_accessible_description("Before the From date.")
        summary = page.get_by_role("alert")
        await expect(summary).to_contain_text("To — Before the From date.")
        await expect(summary.get_by_role("link")).to_have_attribute("href", "#ev-to")
        assert "`" not in await page.inner_text("main")  # no API wording
        await accessible(page, "evidence-refused-1280")
        await page.set_viewport_size(PHONE)
        await accessible(page, "evidence-refused-phone")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        await page.set_viewport_size(LAPTOP)

        ahead = await page.goto(f"{base}/evidence?from=2026-11-01&to=2026-12-02&format=html")
        assert ahead is not None and ahead.status == 422
        to = page.get_by_label("To", exact=True)
        await expect(to).to_have_value("2026-12-02")
        await expect(to).to_have_accessible_description(
            "After today (1 December 2026): the pack covers days that have ended."
        )
        await expect(page.get_by_role("alert")).to_contain_text("To — After today")
        assert "`" not in await page.inner_text("main")

        response = await page.goto(f"{base}/evidence?from=&to=2026-11-30&format=pdf")
        assert response is not None and response.status == 422
        await expect(page.get_by_label("From", exact=True)).to_have_accessible_description(
            "Please enter a date."
        )
        await expect(page.get_by_label("As", exact=True)).to_have_value("pdf")
        await page.get_by_label("From", exact=True).fill("2026-11-01")
        await page.get_by_label("As", exact=True).select_option("html")
        await page.get_by_role("button", name="Download").click()
        await page.wait_for_url(f"{base}/evidence?from=2026-11-01&to=2026-11-30&format=html")
        await expect(page.get_by_role("heading", name="About this evidence pack")).to_be_visible()

        for query in ("from=2026-11-30&to=2026-09-01", "from=&to=2026-11-30"):
            refused = await page.request.get(
                f"{base}/evidence?{query}", headers={"Accept": "application/json"}
            )
            assert refused.status == 422 and (await refused.json())["errors"], query
