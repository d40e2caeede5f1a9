"""Every mail links to the page where its action is done, and the page opens from the link:
"this is now yours" to a step's role holders, and the worker's confirmation request followed
through sign-in to the form and its receipt (real Temporal, real SMTP sink, real app)."""

from __future__ import annotations

import asyncio
import re
from email.message import Message

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from store.sources import current_records
from tests.acknowledgment_support import (
    TRIAGE_DOCS,
    attribution_fields,
    impact_fields,
    open_docs,
    review_and_open_case,
)
from tests.browser_support import link_in
from tests.factories import email
from tests.fixtures.api import ApiFactory
from tests.web_support import csrf, idempotency_key, sign_in
from tests.workflow_support import running_worker, submit, wait_for, wait_stage


def _mails(inbox, who: str, starts: str) -> list[Message]:  # type: ignore[no-untyped-def]
    return [m for m in inbox.to(email(who)) if " ".join(m["Subject"].split()).startswith(starts)]


async def _ready(inbox, who: str, starts: str) -> list[Message]:  # type: ignore[no-untyped-def]
    async def check() -> list[Message]:
        return _mails(inbox, who, starts)

    found: list[Message] = await wait_for(check)
    return found


async def test_mails_link_to_their_pages_and_the_worker_confirms_from_the_link(
    own_env, sqlite_url, sessions_for, smtp_server, api_for: ApiFactory
) -> None:
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    case_id = names.ack_case_id("NM-LNK-1")
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await review_and_open_case(own_env, sessions, queue, "NM-LNK-1")
        [analyst] = await _ready(inbox, "E-ANALYST", "This is now yours: Mark the review reviewed")
        assert re.fullmatch(r"/app/reviews/ack-review-\d{4}-\d\d-\d\d", link_in(analyst))
        state = await wait_stage(case, "triage-attribution")
        [supervisor] = await _ready(inbox, "E-SUPERVISOR", "This is now yours: Triage-failure")
        assert link_in(supervisor) == f"/app/cases/{case_id}/steps/triage-attribution"
        assert not _mails(inbox, "E-MANAGER", "This is now yours")  # not theirs (yet)
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        await submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
        state = await wait_stage(case, "retention-impact")
        [manager] = await _ready(inbox, "E-MANAGER", "This is now yours: Retention impact")
        assert link_in(manager) == f"/app/cases/{case_id}/steps/retention-impact"
        await open_docs(case, "E-MANAGER", RETENTION_DOCUMENTS)
        await submit(case, "retention-impact", "E-MANAGER", impact_fields(state, "low"))
        await asyncio.wait_for(case.result(), 60)
        [request] = await _ready(inbox, "W-100", "Near miss NM-LNK-1")

    link = link_in(request)
    assert link == f"/app/forms/employee-confirmation?case_ref={case_id}"
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")
    first = await api.http.get(link)
    assert first.status_code == 303 and first.headers["location"].startswith("/app/sign-in?next=")
    assert (await sign_in(api, "W-100", link)).headers["location"] == link
    page = await api.http.get(link)
    assert page.status_code == 200 and "NM-LNK-1" in page.text
    answer = {
        "csrf_token": csrf(page.text),
        "idempotency_key": idempotency_key(page.text),
        "case_ref": case_id,
        "confirmed": "yes",
    }
    sent = await api.http.post("/app/forms/employee-confirmation", data=answer)
    assert sent.status_code == 303
    assert "Resolved" in (await api.http.get(sent.headers["location"])).text
    async with sessions() as session:
        stored = await current_records(session, "employee-confirmation-form", [case_id])
    assert stored[case_id]["confirmed"] is True and stored[case_id]["employee_id"] == "W-100"


def test_escalation_subjects_say_what_happened_in_plain_words() -> None:
    """Not "[Escalation level 2]": overdue, and with whom the step now is (README, mails)."""
    from datetime import UTC, datetime

    from domain.cases import EscalationRequest
    from domain.notices import breach_subject

    def subject(level: int) -> str:
        due = datetime(2026, 12, 7, 17, tzinfo=UTC)
        return breach_subject(
            EscalationRequest(case_id="ack-case-NM-1", example="acknowledgment",
                              obligation="triage-attribution", title="Triage-failure attribution",
                              role=None, assignee=None, deadline=due, level=level, at=due)
        )  # fmt: skip

    what = "Triage-failure attribution (ack-case-NM-1)"
    assert subject(1) == f"Overdue, reminder 1: {what}"
    assert subject(2) == f"Overdue, now with the director (reminder 2): {what}"
    assert subject(5) == f"Overdue, now with the board (reminder 5): {what}"
    assert all("[" not in subject(n) and "level" not in subject(n) for n in (1, 2, 3))
