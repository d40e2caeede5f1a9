"""The reporting worker's pages over HTTP: the confirmation form from the mail link, the
speaking-up form, receipts, "my reports" (real database, real sessions and CSRF)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from api.web.words import feed_words
from store.tables import Case, SourceRecordVersion
from tests.factories import (
    case_row,
    closed_register_row,
    load,
    stored_records,
)
from tests.fixtures.api import ApiFactory
from tests.web_support import csrf, idempotency_key, sign_in
from tests.worker_pages_support import staff_and_report

LINK = "/app/forms/employee-confirmation?case_ref=ack-case-NM-LOW-1"


async def _versions(sessions, feed: str, key: str) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).where(
                    SourceRecordVersion.feed == feed, SourceRecordVersion.key == key
                )
            )
            or 0
        )


@pytest.fixture
async def worker_api(database_url: str, sessions_for, api_for: ApiFactory):  # type: ignore[no-untyped-def]
    sessions = sessions_for(database_url)
    await staff_and_report(sessions, "NM-LOW-1", datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    await load(sessions, "closed-case-register", [closed_register_row("CASE-OLD-7", "E-OWNER")])
    async with sessions() as session, session.begin():
        session.add(case_row("ack-case-NM-LOW-1", "W-100"))
    api = await api_for(database_url, env="development", api_host="127.0.0.1")
    return api, sessions


async def test_mail_link_signs_in_then_renders_the_form_and_stores_once(worker_api) -> None:  # type: ignore[no-untyped-def]
    api, sessions = worker_api
    first = await api.http.get(LINK)
    assert first.status_code == 303
    next_path = "/app/forms/employee-confirmation?case_ref=ack-case-NM-LOW-1"
    assert first.headers["location"].startswith("/app/sign-in?next=%2Fapp%2Fforms")
    signed = await sign_in(api, "W-100", next_path)
    assert signed.headers["location"] == next_path
    page = await api.http.get(LINK)
    assert page.status_code == 200 and "Is it resolved for you?" in page.text
    assert "NM-LOW-1" in page.text
    form = {
        "csrf_token": csrf(page.text),
        "idempotency_key": idempotency_key(page.text),
        "case_ref": "ack-case-NM-LOW-1",
        "comment": "Still worried about the night rota",
    }

    unanswered = await api.http.post("/app/forms/employee-confirmation", data=form)
    assert unanswered.status_code == 422
    assert 'id="confirmed-error">Please answer this question' in unanswered.text
    # the summary names the question, not just "Please answer this question"
    assert (
        'href="#confirmed">Does the problem you reported feel resolved to you now? — '
        "Please answer this question</a>" in unanswered.text
    ), unanswered.text
    assert "Still worried about the night rota</textarea>" in unanswered.text  # kept
    forged = await api.http.post(
        "/app/forms/employee-confirmation", data={**form, "confirmed": "no", "csrf_token": "x"}
    )
    assert forged.status_code == 403
    assert await stored_records(sessions, "employee-confirmation-form") == {}

    answer = {**form, "confirmed": "no"}
    sent = await api.http.post("/app/forms/employee-confirmation", data=answer)
    again = await api.http.post("/app/forms/employee-confirmation", data=answer)
    assert sent.status_code == again.status_code == 303
    assert sent.headers["location"] == again.headers["location"]
    receipt = await api.http.get(sent.headers["location"])
    assert "Not resolved" in receipt.text
    # Where the answer really is: the confirmation form's records (every version kept, read
    # below), named as staff pages name that feed; not a register, which Registers would list.
    kept = re.search(r"<dt>Recorded in</dt><dd>(.*?)</dd>", receipt.text, re.S)
    assert kept is not None, receipt.text
    assert kept.group(1).startswith(f"the {feed_words('employee-confirmation-form')} answers")
    assert "register" not in kept.group(1), kept.group(1)
    assert "<dt>Your report</dt><dd>NM-LOW-1</dd>" in receipt.text  # the report, not the case ID
    record = (await stored_records(sessions, "employee-confirmation-form"))["ack-case-NM-LOW-1"]
    assert record["confirmed"] is False and record["employee_id"] == "W-100"
    assert await _versions(sessions, "employee-confirmation-form", "ack-case-NM-LOW-1") == 1
    # "every answer you give is kept": a changed answer adds a version, the first stays
    page = await api.http.get(LINK)
    changed = {**answer, "confirmed": "yes", "idempotency_key": idempotency_key(page.text)}
    assert (
        await api.http.post("/app/forms/employee-confirmation", data=changed)
    ).status_code == 303
    assert await _versions(sessions, "employee-confirmation-form", "ack-case-NM-LOW-1") == 2


async def test_only_the_reporting_worker_may_confirm(worker_api) -> None:  # type: ignore[no-untyped-def]
    api, sessions = worker_api
    await sign_in(api, "E-OWNER")
    theirs = await api.http.get(LINK)
    assert theirs.status_code == 403 and "only answer for a case you reported" in theirs.text
    own_page = await api.http.get("/app/forms/employee-confirmation?case_ref=CASE-OLD-7")
    assert own_page.status_code == 200
    form = {
        "csrf_token": csrf(own_page.text),
        "idempotency_key": idempotency_key(own_page.text),
        "case_ref": "ack-case-NM-LOW-1",
        "confirmed": "yes",
    }
    forged = await api.http.post("/app/forms/employee-confirmation", data=form)
    assert forged.status_code == 403
    unknown = await api.http.get("/app/forms/employee-confirmation?case_ref=CASE-NOPE")
    assert unknown.status_code == 404
    assert await stored_records(sessions, "employee-confirmation-form") == {}


async def test_speaking_up_form_validates_beside_fields_and_applies_once(worker_api) -> None:  # type: ignore[no-untyped-def]
    api, sessions = worker_api
    await sign_in(api, "W-100")
    page = await api.http.get("/app/forms/speaking-up-confidence")
    assert page.status_code == 200 and 'for="score-5"' in page.text
    form = {"csrf_token": csrf(page.text), "idempotency_key": idempotency_key(page.text)}
    wrong = await api.http.post(
        "/app/forms/speaking-up-confidence", data={**form, "score": "9", "risk_domain": "weather"}
    )
    assert wrong.status_code == 422
    assert 'id="score-error">Please enter 5 or less' in wrong.text
    assert 'id="risk-domain-error">' in wrong.text
    answer = {**form, "score": "4", "risk_domain": "medication", "comment": "Better since huddles"}
    first = await api.http.post("/app/forms/speaking-up-confidence", data=answer)
    second = await api.http.post("/app/forms/speaking-up-confidence", data=answer)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    records = await stored_records(sessions, "speaking-up-confidence-form")
    assert list(records) == [f"web-{form['idempotency_key']}"]
    [record] = records.values()
    assert record["employee_id"] == "W-100" and record["score"] == 4
    assert record["service_line"] == "HC-NORTH"
    receipt = await api.http.get(first.headers["location"])
    assert "4 out of 5" in receipt.text
    await sign_in(api, "E-OWNER")
    assert (await api.http.get(first.headers["location"])).status_code == 404


async def test_my_reports_tells_what_was_done_and_asks_for_the_confirmation(worker_api) -> None:  # type: ignore[no-untyped-def]
    api, sessions = worker_api
    async with sessions() as session, session.begin():
        case = await session.get(Case, "ack-case-NM-LOW-1")
        assert case is not None
        case.reference = "NM-LOW-1"
    await sign_in(api, "W-100")
    page = await api.http.get("/app/my-reports")
    assert page.status_code == 200
    text = page.text
    assert "NM-LOW-1" in text and "Acknowledged" in text and "You reported it" in text
    assert "Where it stands:</strong> Closed" in text
    assert "Mon 2 Nov, 09:30" in text  # provider local time (GMT in November)
    assert 'href="/app/forms/employee-confirmation?case_ref=ack-case-NM-LOW-1"' in text
    assert "1 closed report is waiting for your answer" in text
    await sign_in(api, "E-ADMIN")
    empty = await api.http.get("/app/my-reports")
    assert "You have not reported a near miss yet" in empty.text
