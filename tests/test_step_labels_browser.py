"""A step form in a real browser (the retention impact analysis, which has computed values):
every answer's label says whether it is required or optional (one of the two, matching what
the form refuses), and each value the service worked out from the records is shown as plain
text, not as a box to type in, while the form still submits it. The API still refuses a wrong
computed value on its field."""

from __future__ import annotations

from playwright.async_api import expect

from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from tests.api_support import (
    TRIAGE_DOCS,
    attribution,
    impact,
    open_case,
    open_docs,
    wait_stage,
)
from tests.browser_support import PHONE, accessible, signed_in_page
from tests.browser_support import chromium as chromium  # the fixture
from tests.workflow_support import running_worker

STEP = "retention-impact"


async def test_required_labels_and_computed_values_as_text(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for, chromium
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(sqlite_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        steps = f"/cases/{case_id}/steps"
        done = await api.post(f"{steps}/triage-attribution", "E-SUPERVISOR", json=attribution(view))
        assert done.status_code == 200, done.text
        view = await wait_stage(api, case_id, STEP)
        await open_docs(api, case_id, "E-MANAGER", list(RETENTION_DOCUMENTS))
        computed = view["live"]["computed"][STEP]

        # The API keeps its check: a computed value other than the service's is refused on its
        # field (the page's hidden copy is no way round it).
        wrong = impact(view, "high") | {"prior_reports_180d": computed["prior_reports_180d"] + 1}
        refused = await api.post(f"{steps}/{STEP}", "E-MANAGER", json=wrong)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["prior_reports_180d"]

        async with signed_in_page(
            chromium,
            sqlite_url,
            "E-Manager",
            f"/app/cases/{case_id}/steps/{STEP}",
            env=own_env,
            queue=queue,
        ) as (_base, page):
            form = page.locator("#step-form")
            # "(required)" is seen; a screen reader hears "required" from the control itself.
            note = page.get_by_role("textbox", name="Note", exact=True)
            await expect(note).to_have_attribute("required", "")
            await expect(page.locator("label[for=f-note]")).to_have_text("Note (required)")
            # Every visible answer says one of "(required)" / "(optional)", as the form judges.
            labels = await form.evaluate(
                """f => [...f.querySelectorAll('select, textarea, input:not([type=hidden])')]
                    .map(c => [c.labels[0].textContent.trim(), c.required])"""
            )
            assert labels, "the step form has no answers"
            for text, required in labels:
                marks = ("(required)" in text, "(optional)" in text)
                assert marks == (required, not required), (text, required)
            # Computed values: plain text with where they come from, never an input box.
            await expect(form.locator("input[readonly]")).to_have_count(0)
            await expect(form).not_to_contain_text("must equal this value")
            prior = form.locator("#f-prior-reports-180d")
            await expect(prior).to_contain_text(
                f"Prior reports (180 days): {computed['prior_reports_180d']}"
            )
            await expect(prior).to_contain_text("Worked out from the records")
            await expect(form.get_by_role("textbox", name="Prior reports")).to_have_count(0)
            await accessible(page, "step-computed-as-text")
            await page.set_viewport_size(PHONE)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the step form scrolls sideways on a phone ({width} px)"

            # Left empty, the required note is refused beside it; filled, the form (with its
            # computed values carried unseen) is recorded.
            await page.get_by_label("Impact level").select_option("medium")
            for name in ("speaking up", "trust in", "willingness", "intention"):
                await page.get_by_label(name).select_option("false")
            await page.get_by_role("button", name="Submit retention impact analysis").click()
            await expect(page.locator("#f-note-error")).to_be_visible()
            await note.fill("Nearly stopped")
            await page.get_by_role("button", name="Submit retention impact analysis").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Recorded: Retention impact analysis"
            )
