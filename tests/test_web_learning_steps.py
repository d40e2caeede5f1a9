"""Example 2's stabilization validation on a page: the measures document opened from the page,
the computed measures fixed in the form, "close" without a measured reduction refused by the
workflow's gate beside the decision, then "continue" recorded with a receipt that says the
case waits for its next validation."""

from __future__ import annotations

from tests.escalation_support import skip_past_validation_opening
from tests.factories import load
from tests.learning_factories import confidence
from tests.learning_support import audit_and_open_case, to_active_stabilization
from tests.web_support import form, pages_api, sign_in, text
from tests.workflow_support import running_worker, wait_stage


async def test_stabilization_validation_on_a_page(  # type: ignore[no-untyped-def]
    own_env, sqlite_url, sessions_for, api_for
) -> None:
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        case = await audit_and_open_case(own_env, sessions, queue, "NM-L1")
        await to_active_stabilization(own_env, case, sessions)
        await skip_past_validation_opening(own_env, case)
        await wait_stage(case, "stabilization-validation")
        now = await own_env.get_current_time()
        await load(sessions, "speaking-up-confidence-form", [confidence("R-1", now, 2)])

        api = await pages_api(api_for, sqlite_url, own_env, queue)
        await sign_in(api, "E-GOVREV")
        url = f"/app/cases/{case.id}/steps/stabilization-validation"
        page = await api.http.get(url)
        assert page.status_code == 200, page.text
        hidden = form(page.text, url)["hidden"]
        opened = await api.http.post(
            f"/app/cases/{case.id}/documents/validation-measures/open",
            data={"csrf_token": hidden["csrf_token"]},
        )
        assert opened.status_code == 303, opened.text
        page = await api.http.get(url)
        step_form = form(page.text, url)
        hidden = step_form["hidden"]
        assert "revised_recurrence_count" in hidden  # computed: fixed, not typed
        assert 'name="decision"' in page.text and "Executive escalation" in page.text
        fields = {
            "final_learning_visibility_status": "emerging",
            "clearer_evidence_of_learning": "true",
            "note": "Validated against the baseline",
        }
        refused = await api.http.post(url, data={**hidden, **fields, "decision": "close"})
        assert refused.status_code == 422, refused.text
        assert 'id="f-decision-error">close needs measured reduction' in refused.text
        assert "Nothing was recorded" in refused.text
        hidden = form(refused.text, url)["hidden"]
        kept = await api.http.post(url, data={**hidden, **fields, "decision": "continue"})
        assert kept.status_code == 303, kept.text
        await wait_stage(case, "awaiting-validation")
        receipt = text((await api.http.get(kept.headers["location"])).text)
        assert "Workforce governance record, entry" in receipt and "Decision Continue" in receipt
        assert "waits for its next validation, which opens on its own 14 days after" in receipt
