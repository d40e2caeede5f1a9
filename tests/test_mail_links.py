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

    what = "Triage-failure attribution (near miss NM-1)"  # the report's reference, not an ID
    assert subject(1) == f"Overdue, reminder 1: {what}"
    assert subject(2) == f"Overdue, now with the director (reminder 2): {what}"
    assert subject(5) == f"Overdue, now with the board (reminder 5): {what}"
    assert all("[" not in subject(n) and "level" not in subject(n) for n in (1, 2, 3))


def test_mails_name_cases_and_reviews_in_words_and_keep_their_links() -> None:
    """Subjects and bodies say "near miss NM-10009" or the review's period in words, never a
    workflow ID ("ack-case-NM-10009"); the link still goes to the page."""
    from datetime import UTC, datetime

    from domain.cases import EscalationRequest, ObligationNotice
    from domain.notices import breach_body, opened_body, opened_subject

    due = datetime(2026, 12, 7, 17, tzinfo=UTC)

    def notice(subject: str, obligation: str, title: str) -> ObligationNotice:
        return ObligationNotice(
            subject=subject, example="acknowledgment", obligation=obligation, title=title,
            role=None, assignee=None, deadline=due, opened_at=due,
        )  # fmt: skip

    case = notice("ack-case-NM-10009", "retention-impact", "Retention impact")
    assert opened_subject(case) == "This is now yours: Retention impact (near miss NM-10009)"
    body = opened_body(case, "Ann", "https://x", "Europe/London")
    assert "Retention impact for near miss NM-10009 is now owed" in body
    assert "https://x/app/cases/ack-case-NM-10009/steps/retention-impact" in body
    assert "for ack-case" not in body
    reviews = {
        "ack-review-2026-12-04": "daily acknowledgment review of Fri 4 Dec 2026",
        "closure-review-2026-11": "monthly closure-credibility review of November 2026",
        # the cycle by its dates, as the audit's page, My work and the packs name it
        "learning-audit-2026-11-23": "fortnightly learning-visibility audit of the cycle "
        "23 Nov – 6 Dec 2026",
    }
    for rid, words in reviews.items():
        mail = notice(rid, "mark-reviewed", "Mark the review reviewed")
        assert opened_subject(mail) == f"This is now yours: Mark the review reviewed ({words})"
    late = EscalationRequest(case_id="learning-case-NM-7", example="learning-visibility",
                             obligation="learning-attribution", title="Learning attribution",
                             role=None, assignee=None, deadline=due, level=1, at=due)  # fmt: skip
    body = breach_body(late, "https://x", "Europe/London")
    assert body.startswith("Learning attribution for near miss NM-7 was due")
    assert "https://x/app/cases/learning-case-NM-7/steps/learning-attribution" in body


def test_the_nobody_alert_names_the_role_as_the_spec_does() -> None:
    """The administrators' alert says "the role Near-Miss Governance Supervisor", not its slug."""
    from datetime import UTC, datetime

    from domain.cases import ObligationNotice
    from domain.notices import nobody_body, nobody_subject
    from domain.roles import Role

    due = datetime(2026, 12, 7, 17, tzinfo=UTC)
    notice = ObligationNotice(
        subject="ack-case-NM-3", example="acknowledgment", obligation="triage-attribution",
        title="Triage-failure attribution", role=Role.NEAR_MISS_GOVERNANCE_SUPERVISOR,
        assignee=None, deadline=due, opened_at=due,
    )  # fmt: skip
    assert nobody_subject(notice) == (
        "[Action needed] Nobody active holds the role Near-Miss Governance Supervisor "
        "(near miss NM-3)"
    )
    body = nobody_body(notice, "Ada", "https://x/app/admin/pathways")
    assert "holds the role Near-Miss Governance Supervisor: name one" in body
    assert "near_miss" not in body
