"""Example 3 on pages: the monthly closure review (counts, the classified list, the cases it
opened) and the credibility adjudication step, where the workflow's own validator refuses a
lower status than the review's rules give, beside the field it names, before the adjudication
is recorded with a receipt."""

from __future__ import annotations

from domain.credibility import credibility_case_id
from tests.credibility_support import ADJ_DOCS, run_review
from tests.web_support import form, pages_api, sign_in, text
from tests.workflow_support import running_worker, wait_for


async def test_closure_review_and_adjudication_on_pages(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        review, _as_of = await run_review(own_env, sessions, queue)
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        case_id = credibility_case_id("CC-D")
        url = f"/app/cases/{case_id}/steps/credibility-adjudication"
        await sign_in(api, "E-QALEAD")

        async def step_open() -> str | None:
            page = await api.http.get(url)
            ready = page.status_code == 200 and "Worked out from the records" in page.text
            return page.text if ready and url in page.text else None

        await wait_for(step_open)
        listing = text((await api.http.get(f"/app/reviews/{review.id}")).text)
        assert "Doubtful 1" in listing and "Failed 1" in listing and "CC-D" in listing
        assert "Monthly closure-credibility review" in listing

        page = await api.http.get(url)
        # example 3 classifies closures in the spec's words, not as an "exposure"
        assert "· doubtful closure credibility" in text(page.text), text(page.text)[:600]
        assert "exposure doubtful" not in text(page.text)
        hidden = form(page.text, url)["hidden"]
        for doc in ADJ_DOCS:
            opened = await api.http.post(
                f"/app/cases/{case_id}/documents/{doc}/open",
                data={"csrf_token": hidden["csrf_token"]},
            )
            assert opened.status_code == 303, opened.text
            shown = await api.http.get(opened.headers["location"])
            assert shown.status_code == 200 and '{"' not in shown.text
        page = await api.http.get(url)
        hidden = form(page.text, url)["hidden"]
        fields = {
            "confirmed_sources.0.source": "closure_without_employee_confirmation",
            "confirmed_sources.0.evidence": ["case-chronology", "final-action-evidence"],
            "still_relevant_to_workforce_trust": "true",
            "note": "Closed without hearing from the worker",
        }
        lower = await api.http.post(url, data={**hidden, **fields, "confirmed_status": "credible"})
        assert lower.status_code == 422, lower.text
        assert 'id="f-confirmed-status-error"' in lower.text
        assert "cannot be confirmed lower" in lower.text and "Nothing was recorded" in lower.text
        hidden = form(lower.text, url)["hidden"]
        done = await api.http.post(url, data={**hidden, **fields, "confirmed_status": "doubtful"})
        assert done.status_code == 303, done.text
        receipt = text((await api.http.get(done.headers["location"])).text)
        assert "Reporting closure credibility register, entry" in receipt
        assert "Confirmed status Doubtful" in receipt and "Closed without hearing" in receipt
