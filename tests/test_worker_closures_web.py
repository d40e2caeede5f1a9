"""A worker's closure repaired and closed again, over HTTP: "my work" and "my reports" agree on
what waits for her, both under her report's own reference (NM-…, never the closed case's CC-…
or a workflow ID); the re-closure is in "what was done"; the form says how it was closed and
opens with her earlier answer; after "not resolved", "my reports" says what happens next.
(Walk 12: Grace Okafor saw "Your report CC-9003" on My work, and My reports disagreed.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from domain import names
from store.tables import Case, CaseEvent, OpenObligation, Review, ReviewItem
from tests.factories import case_row, closed_register_row, load, staff_rows
from tests.fixtures.api import ApiFactory
from tests.web_support import csrf, idempotency_key
from tests.worker_pages_support import (
    WORKER,
    not_resolved,
    report_card,
    staff_and_report,
    worker_signed_in,
)

CLOSED = datetime(2026, 10, 26, 10, 1, tzinfo=UTC)


def _repair(status: str) -> Case:
    case = case_row("closure-case-CC-1", WORKER)
    case.example, case.review_id = names.EXAMPLE_CREDIBILITY, "closure-review-2026-09"
    case.reference = "NM-R1"  # the report, as ``open_closure_cases`` names it
    case.status = case.stage = status
    case.closed_at = CLOSED if status == "closed" else None
    return case


@pytest.fixture
async def reclosed(database_url: str, sessions_for, api_for: ApiFactory):  # type: ignore[no-untyped-def]
    sessions = sessions_for(database_url)
    category = "corrective_action_completed"
    await closed_outside(sessions, closed_at="2026-09-08T13:30:00Z", closure_category=category)
    answer = {
        "case_ref": "CC-1",
        "employee_id": WORKER,
        "confirmed": False,
        "comment": "Nothing has changed on the ward.",
        "responded_at": "2026-10-17T13:00:00Z",
    }
    await load(sessions, "employee-confirmation-form", [answer])
    async with sessions() as session, session.begin():
        session.add(_repair("closed"))
        detail = {"category": "closed_with_escalation", "final_reviewing_role": "board"}
        session.add(
            CaseEvent(
                case_id="closure-case-CC-1",
                at=CLOSED,
                kind="closed",
                actor="system",
                detail=detail,
                dedupe_key="t:closure-case-CC-1:closed",
            )
        )
    return await worker_signed_in(database_url, api_for)


async def closed_outside(sessions, **register: str) -> None:  # type: ignore[no-untyped-def]
    """The worker's report NM-R1, closed outside the service as case CC-1 (the register's row,
    with REGISTER's values)."""
    await staff_and_report(sessions, "NM-R1", datetime(2026, 9, 1, 9, 30, tzinfo=UTC))
    row = closed_register_row("CC-1", WORKER) | {"reference": "NM-R1", **register}
    await load(sessions, "closed-case-register", [row])


async def test_both_pages_agree_under_the_report_reference_and_the_form_prefills(reclosed) -> None:  # type: ignore[no-untyped-def]
    api = reclosed
    work = (await api.http.get("/app")).text
    assert "1 thing waiting for you" in work, work
    assert 'href="/app/my-reports#report-NM-R1">Your report NM-R1</a>' in work
    assert "CC-1" not in re.sub(r'href="[^"]*"', "", work)  # no closed-case code to read
    assert "closure-case-" not in work  # nor a workflow ID, even in a link
    assert "Closed again Mon 26 Oct, 10:01" in work  # the re-closure asked her again
    assert "case_ref=CC-1" in work

    mine = (await api.http.get("/app/my-reports")).text
    assert "1 closed report is waiting for your answer" in mine
    card = report_card(mine, "NM-R1")
    assert "Closed again (closed, with the matter escalated to the board)" in card
    assert "It was closed again on Mon 26 Oct, 10:01: is it resolved for you now?" in card
    assert "case_ref=CC-1" in card and "Change my answer" not in card  # one closure, one ask

    form = await api.http.get("/app/forms/employee-confirmation?case_ref=closure-case-CC-1")
    assert form.status_code == 200
    assert "<dt>Your report</dt><dd>NM-R1</dd>" in form.text
    assert "<dt>Closed again</dt>" in form.text
    assert "<dt>How it was closed</dt><dd>Closed, with the matter escalated" in form.text
    assert re.search(r'id="confirmed-no" name="confirmed" value="no"\s*checked', form.text)
    assert "Nothing has changed on the ward.</textarea>" in form.text  # her comment, to change

    sent = await not_resolved(api, form.text, "CC-1", comment="Still the same.")
    assert sent.status_code == 303
    receipt = (await api.http.get(sent.headers["location"])).text
    assert "<dd>NM-R1</dd>" in receipt
    # answered after the repair ended: the next monthly review (4 Jan 2027: 1 Jan is a bank
    # holiday; or a later month's, as the test runs) takes it again, as a late dispute
    assert "no further review of this closure is scheduled" not in receipt
    assert "You answered after the repair of how your report was closed ended. The next " in receipt
    assert "takes your report again as a late dispute: the reporting quality assurance" in receipt

    work = (await api.http.get("/app")).text
    assert "Tell us" not in work  # answered since it was closed again: nothing waits
    mine = (await api.http.get("/app/my-reports")).text
    assert "waiting for your answer" not in mine
    card = report_card(mine, "NM-R1")
    assert "<strong>not resolved</strong>" in card and "Change my answer" in card
    assert "What happens next:" in card


async def test_not_resolved_before_the_monthly_review_says_it_will_be_looked_at(
    database_url: str, sessions_for, api_for: ApiFactory
) -> None:
    sessions = sessions_for(database_url)
    await staff_and_report(sessions, "NM-R2", datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    async with sessions() as session, session.begin():
        case = case_row("ack-case-NM-R2", WORKER)
        case.closed_at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
        session.add(case)
    api = await worker_signed_in(database_url, api_for)
    form = await api.http.get("/app/forms/employee-confirmation?case_ref=ack-case-NM-R2")
    assert 'value="no" checked' not in form.text  # nothing answered yet: nothing chosen
    sent = await not_resolved(api, form.text, "ack-case-NM-R2")
    assert sent.status_code == 303
    card = report_card((await api.http.get("/app/my-reports")).text, "NM-R2")
    assert (
        "It will be looked at again in the monthly closure review of November 2026, done by "
        "the fifth working day of December 2026" in card
    ), card


async def test_speaking_up_summary_names_each_question_and_links_to_it(
    database_url: str, sessions_for, api_for: ApiFactory
) -> None:
    await load(sessions_for(database_url), "staff-directory", staff_rows())
    api = await worker_signed_in(database_url, api_for)
    page = await api.http.get("/app/forms/speaking-up-confidence")
    assert "Who sees your answer:" in page.text and "with your name" in page.text
    empty = await api.http.post(
        "/app/forms/speaking-up-confidence",
        data={"csrf_token": csrf(page.text), "idempotency_key": idempotency_key(page.text)},
    )
    assert empty.status_code == 422
    summary = empty.text[empty.text.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#score">If you saw a near miss tomorrow, how confident' in summary, summary
    assert 'href="#risk-domain">Which kind of risk are you thinking about? — ' in summary
    assert 'id="score"' in empty.text and 'id="risk-domain"' in empty.text  # the targets exist


async def test_not_found_pages_read_as_plain_capitalised_sentences(
    database_url: str, sessions_for, api_for: ApiFactory
) -> None:
    await load(sessions_for(database_url), "staff-directory", staff_rows())
    api = await worker_signed_in(database_url, api_for)
    expected = {
        "/app/xyz": "There is no page at this address. Check the link, or go back to your work.",
        "/app/forms/employee-confirmation?case_ref=CC-9999": (
            "There is no report or case CC-9999 that you can open."
        ),
        "/app/cases/nope": "There is no report or case nope that you can open.",
        "/app/cases/ack-case-NM-99999": "There is no report NM-99999 that you can open.",
    }
    for path, words in expected.items():
        page = await api.http.get(path)
        assert page.status_code == 404, path
        assert "<h1>Not found</h1>" in page.text
        assert f'role="alert">{words}</p>' in page.text, (path, page.text)
        assert "Not Found" not in page.text and "'" not in words


async def test_a_report_at_a_step_says_where_it_stands_once(
    database_url: str, sessions_for, api_for: ApiFactory
) -> None:
    sessions = sessions_for(database_url)
    await staff_and_report(sessions, "NM-R3", datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    async with sessions() as session, session.begin():
        case = case_row("ack-case-NM-R3", WORKER)
        case.status, case.stage, case.closed_at = "open", "triage-attribution", None
        session.add(case)
    api = await worker_signed_in(database_url, api_for)
    card = report_card((await api.http.get("/app/my-reports")).text, "NM-R3")
    stands = "The safety team is checking how your report was acknowledged and triaged</p>"
    assert f"<strong>Where it stands:</strong> {stands}" in card, card  # not "…: the team is
    # looking into it" after it


async def test_not_resolved_during_a_repair_says_its_validation_reads_it_and_when(
    database_url: str, sessions_for, api_for: ApiFactory
) -> None:
    sessions = sessions_for(database_url)
    await closed_outside(sessions)
    due = datetime(2026, 12, 21, 17, 0, tzinfo=UTC)
    async with sessions() as session, session.begin():
        session.add(_repair("open"))
        for key, deadline in (("repair-pathway", datetime(2026, 12, 9, 17, tzinfo=UTC)),
                              ("repair-validation", due)):  # fmt: skip
            session.add(OpenObligation(case_id="closure-case-CC-1", key=key, deadline=deadline))
    api = await worker_signed_in(database_url, api_for)
    form = await api.http.get("/app/forms/employee-confirmation?case_ref=CC-1")
    sent = await not_resolved(api, form.text, "CC-1")
    assert sent.status_code == 303
    card = report_card((await api.http.get("/app/my-reports")).text, "NM-R1")
    # the validation's deadline (which reads the answer), not the sooner step's
    assert (
        "The team repairing how your report was closed reads your answer when it checks "
        "whether the repair worked (due by Mon 21 Dec, 17:00)." in card
    ), card


@pytest.mark.parametrize(("found", "expected"), [
    ("doubtful", "The monthly closure review of October 2026 found that this closure may not "
                 "hold up. Once the workforce experience reporting analyst has marked that "
                 "review reviewed, the reporting quality assurance lead adjudicates"),
    ("credible", "You answered after the monthly closure review of this closure was done. The "
                 "next monthly closure review"),
])  # fmt: skip
async def test_not_resolved_before_its_adjudication_opens_says_the_adjudication_reads_it(
    database_url: str, sessions_for, api_for: ApiFactory, found: str, expected: str
) -> None:
    """Walk 13: the month's review held the closure as doubtful and was not yet marked, so the
    adjudication to come reads the answer; the page promised a late dispute next month. A
    closure the review found credible opens no adjudication: the next review takes it again."""
    sessions = sessions_for(database_url)
    await closed_outside(sessions)  # closed 1 Oct 2026
    generated = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    async with sessions() as session, session.begin():
        session.add(
            Review(
                review_id="closure-review-2026-10",
                example=names.EXAMPLE_CREDIBILITY,
                period="2026-10",
                as_of=generated,
                generated_at=generated,
                status="generated",
                summary={},
            )  # fmt: skip
        )
        session.add(ReviewItem(review_id="closure-review-2026-10", reference="CC-1",
                               classification=found, reasons=[]))  # fmt: skip
    api = await worker_signed_in(database_url, api_for)
    form = await api.http.get("/app/forms/employee-confirmation?case_ref=CC-1")
    sent = await not_resolved(api, form.text, "CC-1")
    assert sent.status_code == 303
    receipt = (await api.http.get(sent.headers["location"])).text
    card = report_card((await api.http.get("/app/my-reports")).text, "NM-R1")
    for page in (receipt, card):
        assert expected in page, page
    if found == "doubtful":
        assert "late dispute" not in card
