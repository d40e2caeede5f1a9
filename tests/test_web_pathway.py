"""Example 1's pathway on pages: the director authorizes it with the generated form (an owner who
is not active staff is refused beside the field), the named owner, who holds no governance role,
sees their own case only, accepts from the page (a double post applied once) and marks an action
done after the weekly pack is published, and records the mandatory review on its page (refused
before its date, then accepted: the case closes); each answer is a receipt naming its register."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from domain import names
from tests.api_support import EMERGING, case_at_the_recovery_pathway, wait_stage
from tests.web_support import csrf, form, pages_api, sign_in, text
from tests.workflow_support import running_worker, skip

SUMMARY = "Please correct the form: each answer to correct is marked below with what to do."


async def test_pathway_on_pages(own_env, sqlite_url, sessions_for, api_for) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        case_id = await case_at_the_recovery_pathway(api, own_env, sessions)
        today = await _director_authorizes_on_the_page(api, own_env, case_id)
        accept_url = f"/app/cases/{case_id}/pathway/accept"
        await _refused_to_the_director(api, accept_url, "pathway-acceptance")
        assert "Accept the pathway" not in (await api.http.get(accept_url)).text
        await _owner_accepts_their_own_pathway(api, case_id, accept_url)

        year, week, _ = (await own_env.get_current_time()).isocalendar()
        pack = f"/packs/weekly-sustainability/{year}-W{week:02d}/publish"
        await wait_stage(api, case_id, "awaiting-visibility")
        waiting = text((await api.http.get(f"/app/cases/{case_id}")).text)
        assert "Waiting for the pathway to appear in a published pack" in waiting
        assert (await api.post(pack, "E-DIRECTOR")).status_code == 200
        await wait_stage(api, case_id, "active-recovery")
        await _owner_marks_the_worker_communication_done(api, case_id)

        review_url = f"/app/cases/{case_id}/steps/recovery-review"
        await _review_refused_before_its_date(api, review_url, today)
        await _actions_named_by_their_titles(api, case_id)
        await sign_in(api, "E-OWNER")
        await skip(own_env, timedelta(days=14))  # the review date comes
        due_page = (await api.http.get(review_url)).text
        assert "You can record this review" not in due_page
        [button] = re.findall(r"<button[^>]*>Submit mandatory review[^<]*<", due_page)
        assert " disabled" not in button, button
        hidden = form(due_page, review_url)["hidden"]
        missing = {"outcome": "not_recovered", "findings": "Not yet"}  # no next review date
        unfinished = await api.http.post(review_url, data={**hidden, **missing})
        assert unfinished.status_code == 422, unfinished.text
        words = text(unfinished.text)
        assert "name the next review date" in words
        assert SUMMARY in words
        assert "disagree" not in words
        hidden = form(unfinished.text, review_url)["hidden"]
        reviewed = await api.http.post(review_url, data={**hidden, **RECOVERED})
        assert reviewed.status_code == 303, reviewed.text
        receipt = text((await api.http.get(reviewed.headers["location"])).text)
        assert "Acknowledgment recovery log" in receipt and "Triage ownership holds" in receipt
        closed = await wait_stage(api, case_id, "closed")
        assert closed["live"]["closure"]["category"] == "recovered"


RECOVERED = {"outcome": "recovered", "findings": "Triage ownership holds"}


async def _director_authorizes_on_the_page(api: Any, env: Any, case_id: str) -> Any:
    """The generated form: an owner who is not staff refused beside the field, dates that cross
    named by their labels, then authorized (a receipt naming the log); today's date."""
    await sign_in(api, "E-DIRECTOR")
    url = f"/app/cases/{case_id}/steps/recovery-pathway"
    page = await api.http.get(url)
    hidden = form(page.text, url)["hidden"]
    opened = await api.http.post(
        f"/app/cases/{case_id}/documents/reporting-control-authorization-sheet/open",
        data={"csrf_token": hidden["csrf_token"]},
    )
    assert opened.status_code == 303
    page = await api.http.get(url)
    assert 'type="date"' in page.text
    # The owner is chosen by name, role and ID from the directory (no typed ID, no script).
    assert (
        '<label for="f-responsible-owner-id">Responsible owner'
        ' <span class="need" aria-hidden="true">(required)</span></label>'
    ) in page.text
    assert '<select id="f-responsible-owner-id" name="responsible_owner_id"' in page.text
    # The report's triage owner in the latest daily review reads so (the directory has no
    # job title); other staff read "staff member".
    assert '<option value="E-OWNER">E-Owner — triage owner, HC-NORTH (E-OWNER)</option>' in (
        page.text
    )
    # The case's service line first, in a labelled group (no script needed).
    first = page.text.split('name="responsible_owner_id"', 1)[1].split("<optgroup", 2)[1]
    assert first.startswith(' label="HC-NORTH — this case&#39;s service line">'), first[:80]
    assert 'value="E-OWNER"' in first
    hidden = form(page.text, url)["hidden"]
    today = (await env.get_current_time()).date()
    fields = {
        "pathway_type": "triage_control_reset",
        "triage_control_implementation_deadline": str(today + timedelta(days=7)),
        "worker_communication_deadline": str(today + timedelta(days=3)),
        "worker_communication_deadline__time": "16:00",  # an instant, provider local time
        "mandatory_review_date": str(today + timedelta(days=14)),
        "immediate_senior_acknowledgment": "false",
        "mandatory_named_owner_assignment": "true",
        "temporary_daily_service_line_review": "false",
        "same_day_unsafe_condition_escalation": "false",
        "note": "Reset triage ownership",
    }
    ghost = await api.http.post(url, data={**hidden, **fields, "responsible_owner_id": "E-GHOST"})
    assert ghost.status_code == 422
    assert 'id="f-responsible-owner-id-error"' in ghost.text
    words = text(ghost.text)
    assert "Please choose someone from the list: E-GHOST is not a current member of staff" in words
    # One summary, whichever check refused the form (was "invalid fields" here, "some fields
    # need attention" from the workflow, "some fields need correcting" from the page).
    assert words.count("Please correct the form") == 1 and SUMMARY in words
    assert "invalid fields" not in words
    assert 'value="Reset triage ownership"' in ghost.text or "Reset triage ownership" in ghost.text
    # A cross-check names fields by their labels; the banner does not say "disagree".
    hidden = form(ghost.text, url)["hidden"]
    early_review = {**fields, "mandatory_review_date": str(today + timedelta(days=5))}
    crossed = await api.http.post(
        url, data={**hidden, **early_review, "responsible_owner_id": "E-OWNER"}
    )
    assert crossed.status_code == 422, crossed.text
    words = text(crossed.text)
    assert "Please choose a date on or after the triage control implementation deadline" in words, (
        words
    )
    assert "before triage_control" not in words
    assert SUMMARY in words and "disagree" not in words
    assert "need attention" not in words
    hidden = form(crossed.text, url)["hidden"]
    authorized = await api.http.post(
        url, data={**hidden, **fields, "responsible_owner_id": "E-OWNER"}
    )
    assert authorized.status_code == 303, authorized.text
    receipt = text((await api.http.get(authorized.headers["location"])).text)
    assert "Acknowledgment recovery log" in receipt and "Accept the" in receipt
    # Open now: everything the authorization opened, though it opened in the same second.
    open_now = receipt[receipt.index("Open now") :]
    for opened_with_it in (
        "Accept the acknowledgment-recovery pathway",
        "Corrected triage-control implementation",
        "Worker communication",
        "Mandatory review of the acknowledgment-recovery pathway",
    ):
        assert opened_with_it in open_now, (opened_with_it, open_now)
    assert "Worker communication deadline " in receipt and ", 16:00" in receipt
    await wait_stage(api, case_id, "pathway-acceptance")
    return today


async def _owner_accepts_their_own_pathway(api: Any, case_id: str, accept_url: str) -> None:
    """No governance role: their own pathway only; a double post is applied once."""
    await sign_in(api, "E-OWNER")
    own = await api.http.get(f"/app/cases/{case_id}")
    assert own.status_code == 200, own.text
    assert f'href="/app/cases/{case_id}/pathway/accept"' in own.text
    other = await api.http.get(f"/app/cases/{names.ack_case_id(EMERGING)}")
    assert other.status_code in (403, 404)
    page = await api.http.get(accept_url)
    assert "Triage control reset" in text(page.text)  # the authorized pathway, in words
    hidden = form(page.text, accept_url)["hidden"]
    first = await api.http.post(accept_url, data=hidden)
    again = await api.http.post(accept_url, data=hidden)  # a double click
    assert first.status_code == again.status_code == 303, again.text
    receipt = text((await api.http.get(first.headers["location"])).text)
    assert "Recorded: Accept the" in receipt and "on time" in receipt
    assert "none open" not in receipt  # the actions the acceptance lets the owner do, listed
    assert re.search(r"Worker communication, due \w{3} \d+ \w{3}, \d\d:\d\d", receipt), receipt


async def _owner_marks_the_worker_communication_done(api: Any, case_id: str) -> None:
    action_url = f"/app/cases/{case_id}/pathway/actions/worker-communication"
    await _refused_to_the_director(api, action_url, "active-recovery")
    await sign_in(api, "E-OWNER")
    page = await api.http.get(action_url)
    assert page.status_code == 200 and 'for="f-note"' in page.text
    hidden = form(page.text, action_url)["hidden"]
    for blank in ("", "  \n "):  # what was done must be said: the field marked, nothing recorded
        refused = await api.http.post(action_url, data={**hidden, "note": blank})
        assert refused.status_code == 422, refused.text
        assert re.search(r'<textarea[^>]*id="f-note"[^>]*aria-invalid="true"', refused.text)
        assert 'id="f-note-error"' in refused.text and 'href="#f-note"' in refused.text
    live = (await wait_stage(api, case_id, "active-recovery"))["live"]
    assert live["obligations"]["action:worker-communication"]["done_at"] is None
    marked = await api.http.post(action_url, data={**hidden, "note": "Spoke to the worker"})
    assert marked.status_code == 303, marked.text
    receipt = text((await api.http.get(marked.headers["location"])).text)
    assert "Acknowledgment recovery log" in receipt and "Spoke to the worker" in receipt
    assert "Reporting worker" in receipt and "Employee id" not in receipt  # who, in words
    again = await api.http.get(action_url)
    assert "Done." in text(again.text)


async def _review_refused_before_its_date(api: Any, review_url: str, today: Any) -> None:
    """The mandatory review, on the page the owner's mail links to (generated from its model)
    and My work lists: not done early, the refusal naming its date in words."""
    mine = await api.http.get("/app")  # the owner's My work lists the review, linked
    assert "Mandatory review of the acknowledgment-recovery pathway" in text(mine.text)
    assert f'href="{review_url}"' in mine.text
    page = await api.http.get(review_url)
    assert page.status_code == 200, page.text
    assert 'for="f-outcome"' in page.text and 'for="f-findings"' in page.text
    assert 'name="next_review_date"' in page.text and 'type="date"' in page.text
    due = today + timedelta(days=14)  # a date in words on a page ("Tue 8 Dec 2026")
    # Said above the form, and its button disabled until then (the workflow refuses it).
    assert f"You can record this review from {due:%a} {due.day} {due:%b %Y}." in text(page.text)
    [submit_button] = re.findall(r"<button[^>]*>Submit mandatory review[^<]*<", page.text)
    assert " disabled" in submit_button, submit_button
    hidden = form(page.text, review_url)["hidden"]
    early = await api.http.post(review_url, data={**hidden, **RECOVERED})
    assert early.status_code == 409, early.text  # the mandatory review is not done early
    assert f"is due on {due:%a} {due.day} {due:%b %Y}" in text(early.text), text(early.text)


async def _actions_named_by_their_titles(api: Any, case_id: str) -> None:
    """A done action is named by its title (not its slug) in the history and to the reporter."""
    action_url = f"/app/cases/{case_id}/pathway/actions/triage-control-implementation"
    hidden = form((await api.http.get(action_url)).text, action_url)["hidden"]
    marked = await api.http.post(action_url, data={**hidden, "note": "Owner rota in place"})
    assert marked.status_code == 303, marked.text
    history = text((await api.http.get(f"/app/cases/{case_id}")).text)
    assert "Corrected triage-control implementation done by" in history
    await sign_in(api, "W-100")
    mine = text((await api.http.get("/app/my-reports")).text)
    assert "Action done: Corrected triage-control implementation" in mine
    assert "Action done: Worker communication" in mine
    assert "Triage control implementation" not in mine


async def _refused_to_the_director(api: Any, url: str, stage: str) -> None:
    """The director (a governance role, who sees the page) posts the named owner's form: the
    pathway page again naming the owner, 403, and nothing recorded."""
    await sign_in(api, "E-DIRECTOR")
    page = await api.http.get(url)
    posted = {"csrf_token": csrf(page.text), "idempotency_key": "director-try", "note": "mine"}
    refused = await api.http.post(url, data=posted)
    assert refused.status_code == 403, refused.text
    words = text(refused.text)
    assert "only E-Owner (E-OWNER), the named owner, records this" in words
    assert "you are signed in as E-Director" in words and "Nothing was recorded" in words
    assert "The authorized pathway" in words  # the pathway page, not a bare error page
    case_id = url.split("/")[3]
    live = (await wait_stage(api, case_id, stage))["live"]
    key = "pathway-acceptance" if url.endswith("/accept") else f"action:{url.split('/')[-1]}"
    assert live["obligations"][key]["done_at"] is None
