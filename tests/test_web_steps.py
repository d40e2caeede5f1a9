"""Doing example 1's triage attribution on pages: real database, time-skipping Temporal, worker.

The case page, the step page with its generated form, opening documents (recorded as the API
records them), rejections next to their fields with nothing changed, the receipt, and a
double-posted form applied once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from store.tables import DocumentOpening, RegisterEntry
from tests.api_support import TRIAGE_DOCS, open_case, wait_stage
from tests.web_support import form, pages_api, sign_in, text
from tests.workflow_support import running_worker, skip, wait_for


async def _entries(sessions, kind: str) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(RegisterEntry).where(RegisterEntry.kind == kind)
        )
    return int(count or 0)


async def test_triage_attribution_on_pages(own_env, sqlite_url, sessions_for, api_for) -> None:  # type: ignore[no-untyped-def]
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        api = await pages_api(api_for, sqlite_url, own_env, queue)
        case_id, _view = await open_case(api, own_env, sessions)
        step_url = f"/app/cases/{case_id}/steps/triage-attribution"
        await _case_shown_only_to_those_who_may_see_it(api, case_id, step_url)
        hidden = await _generated_step_form(api, step_url)
        await _refused_until_the_documents_are_opened(api, sessions, case_id, step_url, hidden)
        hidden = await _field_errors_beside_their_fields(api, sessions, step_url)

        key = "page-key-1"
        page = (await api.http.get(step_url)).text
        entry = re.search(r'value="report-chronology#([^"]+)"', page)
        assert entry is not None, "the opened chronology's entries can be cited"
        cites = [*GOOD["confirmed_sources.0.evidence"], f"report-chronology#{entry[1]}"]
        good = {**hidden, **GOOD, "confirmed_sources.0.evidence": cites}
        first = await _post(api, step_url, good, key)
        assert first.status_code == 303, first.text
        again = await _post(api, step_url, good, key)  # a double click
        assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
        assert await _entries(sessions, "triage_attribution") == 1

        receipt = await api.http.get(first.headers["location"])
        assert receipt.status_code == 200, receipt.text
        words = text(receipt.text)
        assert "Near-miss reliability case register, entry" in words
        assert entry[1] not in words  # the cited entry by what it says, not its ID
        case_page = text((await api.http.get(f"/app/cases/{case_id}")).text)
        assert "in the near-miss reliability case register, entry" in case_page
        assert re.search(r"Report chronology: \S+ \d+ \w+, \d\d:\d\d — ", words), words
        assert "on time" in words and "What happens next" in words
        await _missed_deadline_in_words(api, own_env, case_id)


GOOD = {
    "confirmed_sources.0.source": "manager_non_review",
    "confirmed_sources.0.evidence": ["report-chronology", "risk-classification-source"],
    "note": "No manager review for three days",
}


def _post(api, step_url: str, data: dict[str, object], key: str | None = None):  # type: ignore[no-untyped-def]
    """The step form posted with DATA (and KEY as its idempotency key, if given)."""
    if key is not None:
        data = {**data, "idempotency_key": key}
    return api.http.post(step_url, data=data)


async def _case_shown_only_to_those_who_may_see_it(api, case_id: str, step_url: str) -> None:  # type: ignore[no-untyped-def]
    await sign_in(api, "E-OWNER")  # no governance role, not a named owner yet
    hidden = await api.http.get(f"/app/cases/{case_id}")
    assert hidden.status_code == 404  # not visible: existence does not leak, nor is denied
    assert "that you can open" in hidden.text  # not "no report …", as if there were none

    await sign_in(api, "W-100")  # the reporting worker: their own view
    mine = await api.http.get(f"/app/cases/{case_id}")
    assert mine.status_code == 303 and mine.headers["location"] == "/app/my-reports"
    refused = await api.http.get(step_url)
    assert refused.status_code == 403
    words = text(refused.text)  # who may, as the pages name them; the case by its report
    assert "Only a governance role or the pathway's named owner" in words, words
    assert "may see this page of report NM-CRIT-1." in words
    assert "<li>Safety Learning Assurance Analyst</li>" in refused.text  # the titles, apart
    assert case_id not in words and "_" not in words and "requires" not in words

    await sign_in(api, "E-SUPERVISOR")
    case_page = await api.http.get(f"/app/cases/{case_id}")
    assert case_page.status_code == 200, case_page.text
    words = text(case_page.text)
    assert "NM-CRIT-1" in words and "HC-NORTH" in words and "critical" in words
    assert f'href="{step_url}"' in case_page.text
    assert "Triage-failure attribution opened, due" in words and "{" not in words


async def _generated_step_form(api, step_url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The step page's form: computed values and a key hidden, labelled fields; its hidden."""
    page = await api.http.get(step_url)
    assert page.status_code == 200, page.text
    step_form = form(page.text, step_url)
    hidden = step_form["hidden"]
    assert hidden["indicators_above_threshold"] != "" and len(hidden["idempotency_key"]) > 20
    assert "confirmed_sources.0.source" in step_form["names"]
    assert 'for="f-note"' in page.text and "Note" in page.text
    assert "Recorded in the near-miss reliability case register" in text(page.text)
    assert "Category repeatedly under-triaged" in text(page.text)
    return hidden


async def _refused_until_the_documents_are_opened(api, sessions, case_id, step_url, hidden) -> None:  # type: ignore[no-untyped-def]
    """Refused in words, nothing recorded; then each document opened from the page, shown, and
    recorded as the API records it."""
    missing = await _post(api, step_url, {**hidden, **GOOD})
    assert missing.status_code == 409, missing.text
    assert "<li>Daily review: not opened by you</li>" in missing.text  # in words
    assert "documents.daily-review" not in missing.text and "Nothing was recorded" in missing.text
    for doc in TRIAGE_DOCS:
        opened = await api.http.post(
            f"/app/cases/{case_id}/documents/{doc}/open",
            data={"csrf_token": hidden["csrf_token"], "back": step_url},
        )
        assert opened.status_code == 303, opened.text
        shown = await api.http.get(opened.headers["location"])
        assert shown.status_code == 200 and "<table" in shown.text or "<dl" in shown.text
        assert "recorded" in text(shown.text) and '{"' not in shown.text
    async with sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(DocumentOpening)
            .where(DocumentOpening.case_id == case_id)
        )
    assert count == len(TRIAGE_DOCS)


async def _field_errors_beside_their_fields(api, sessions, step_url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Blank, unstorable and typed-over values refused beside their fields, nothing recorded;
    the page's fresh hidden fields."""
    page = await api.http.get(step_url)
    hidden = form(page.text, step_url)["hidden"]
    assert 'value="report-chronology"' in page.text  # evidence chosen from documents opened
    blank = {**GOOD, "note": "  ", "confirmed_sources.0.evidence": ""}
    invalid = await _post(api, step_url, {**hidden, **blank})
    assert invalid.status_code == 422
    assert 'id="f-note-error"' in invalid.text
    assert 'id="f-confirmed-sources-0-evidence-error"' in invalid.text
    # The summary lists each marked field, linked to it, by its label and what to do.
    [summary] = re.findall(r'<div class="error"[^>]*id="form-errors".*?</div>', invalid.text, re.S)
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary))
    assert links.keys() == {"f-note", "f-confirmed-sources-0-evidence"}, summary
    assert links["f-note"].startswith("Note — Please ")
    assert links["f-confirmed-sources-0-evidence"].startswith("Confirmed source 1: Evidence — ")
    nul = await _post(api, step_url, {**hidden, **GOOD, "note": "bad\x00text"})  # unstorable
    assert nul.status_code == 422 and 'id="f-note-error"' in nul.text
    wrong = await _post(api, step_url, {**hidden, **GOOD, "indicators_above_threshold": "99"})
    assert wrong.status_code == 422 and 'id="f-indicators-above-threshold-error"' in wrong.text
    assert "computed value is" in wrong.text
    assert await _entries(sessions, "triage_attribution") == 0
    return hidden


async def _missed_deadline_in_words(api, env, case_id: str) -> None:  # type: ignore[no-untyped-def]
    """The next step's deadline passes: the case page says so in words, never "level 1"."""
    view = await wait_stage(api, case_id, "retention-impact")
    deadline = datetime.fromisoformat(view["live"]["obligations"]["retention-impact"]["deadline"])
    await skip(env, deadline - await env.get_current_time() + timedelta(minutes=5))

    async def escalated() -> str | None:
        body = text((await api.http.get(f"/app/cases/{case_id}")).text)
        return body if "reminder 1" in body else None

    words = await wait_for(escalated)
    assert "overdue — reminder 1 to the Workforce Retention Safety Culture Manager" in words
    assert "Retention impact analysis: deadline missed — reminder 1 to the" in words
    assert "level" not in words.lower()
