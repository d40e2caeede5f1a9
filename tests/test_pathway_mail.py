"""A pathway's authorization mails its accountable owner once, not once per action (the walk of
8 December: a closure-repair pathway sent six "this is now yours" mails): the one mail lists
each action with its deadline in the provider's local time and the link to its page; a retried
activity sends nothing twice; an owner no longer active has the administrators told once. The
activity runs on a real database and delivers to a real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.testing import ActivityEnvironment

from activities.cases import CaseActivities
from activities.deps import ActivityDeps
from domain import names
from domain.cases import CaseInput, ObligationNotice, PathwayNotice
from domain.pathway_actions import ACTION_TITLES
from infra.mail import MailSettings
from store.cases import seed_case
from store.db import transaction
from tests.factories import email, load, staff_rows
from tests.workflow_support import CALENDAR

AT = datetime(2026, 12, 7, 10, tzinfo=UTC)  # Mon 7 Dec 2026, 10:00 in London
CASE = "closure-case-CC-0002"
ACTIONS = ("final-correction", "worker-reconnection", "follow-up-review", "senior-contact")
URL = "http://127.0.0.1:8000/app/cases/closure-case-CC-0002/pathway"


def _notice(owner: str) -> PathwayNotice:
    def item(obligation: str, title: str, deadline: datetime) -> ObligationNotice:
        return ObligationNotice(
            subject=CASE, example=names.EXAMPLE_CREDIBILITY, obligation=obligation, title=title,
            role=None, assignee=owner, deadline=deadline, opened_at=AT,
        )  # fmt: skip

    items = [item("pathway-acceptance", "Accept the closure-repair pathway", AT + timedelta(1))]
    items += [
        item(f"action:{slug}", ACTION_TITLES[slug], AT + timedelta(days=n + 2, hours=7))
        for n, slug in enumerate(ACTIONS)
    ]
    return PathwayNotice(
        subject=CASE,
        example=names.EXAMPLE_CREDIBILITY,
        pathway="closure-repair pathway",
        owner=owner,
        opened_at=AT,
        items=items,
    )


async def _seeded(sessions: Any) -> None:
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        await seed_case(
            session,
            CaseInput(
                case_id=CASE, example=names.EXAMPLE_CREDIBILITY, reference="NM-10039",
                review_id="closure-review-2026-11", exposure="doubtful", service_line="SL-A",
                opened_at=AT, calendar=CALENDAR, policy_version="closure-policy-v1",
            ),
            "W-100",
        )  # fmt: skip


async def test_one_mail_per_owner_lists_each_action_due_and_link(sessions, smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    await _seeded(sessions)
    activities = CaseActivities(ActivityDeps(sessions=sessions, mail=MailSettings(port=port)))
    env = ActivityEnvironment()
    assert await env.run(activities.notify_pathway_opened, _notice("E-OWNER")) == 1
    assert await env.run(activities.notify_pathway_opened, _notice("E-OWNER")) == 0  # a retry
    assert len(inbox.messages) == 1
    mail = inbox.to(email("E-OWNER"))[0]
    assert " ".join(mail["Subject"].split()) == (
        "This is now yours: the closure-repair pathway (near miss NM-10039, closed case CC-0002)"
    )
    body = mail.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "Deadlines are in Europe/London time." in body
    assert (
        f"- Accept the closure-repair pathway, due Tue 8 Dec, 10:00\n"
        f"  Do it here: {URL}/accept\n" in body
    ), body
    due = ("Wed 9 Dec, 17:00", "Thu 10 Dec, 17:00", "Fri 11 Dec, 17:00", "Sat 12 Dec, 17:00")
    for slug, when in zip(ACTIONS, due, strict=True):
        line = f"- {ACTION_TITLES[slug]}, due {when}\n  Do it here: {URL}/actions/{slug}\n"
        assert line in body, body
    assert body.count("Do it here:") == 1 + len(ACTIONS)


async def test_an_owner_no_longer_active_has_the_administrators_told_once(
    sessions, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    await _seeded(sessions)
    activities = CaseActivities(ActivityDeps(sessions=sessions, mail=MailSettings(port=port)))
    assert await ActivityEnvironment().run(activities.notify_pathway_opened, _notice("E-GONE"))
    assert [m["To"] for m in inbox.messages] == [email("E-ADMIN")]
    assert "named owner E-GONE" in " ".join(inbox.messages[0]["Subject"].split())
