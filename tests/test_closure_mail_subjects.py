"""Example 3's mails say what they ask and about which report (the walk of 7 December read only
"closed case CC-0002" where the others say "near miss NM-10009"): the "this is now yours",
escalation and nobody-holds-it mails of an example-3 case name the report its closed case
closed, as queued by the activities on a real database (the wording: domain.notices)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from activities.cases import CaseActivities
from activities.deps import ActivityDeps
from domain import names
from domain.cases import CaseInput, EscalationRequest, ObligationNotice
from domain.roles import Role
from store.cases import seed_case
from store.db import transaction
from store.tables import OutboxMessage
from tests.factories import load, staff_rows
from tests.workflow_support import CALENDAR

AT = datetime(2026, 12, 7, 10, tzinfo=UTC)
CASE = "closure-case-CC-0002"
ABOUT = "(near miss NM-10039, closed case CC-0002)"


async def test_example_3_mails_name_the_report(sessions: Any) -> None:
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        await seed_case(
            session,
            CaseInput(
                case_id=CASE,
                example=names.EXAMPLE_CREDIBILITY,
                reference="NM-10039",
                review_id="closure-review-2026-11",
                exposure="doubtful",
                service_line="SL-A",
                opened_at=AT,
                calendar=CALENDAR,
                policy_version="closure-policy-v1",
            ),
            "W-100",
        )
    opened: dict[str, Any] = {
        "subject": CASE,
        "example": names.EXAMPLE_CREDIBILITY,
        "obligation": "credibility-adjudication",
        "title": "Closure-credibility adjudication",
        "deadline": AT + timedelta(hours=8),
        "opened_at": AT,
    }
    activities = CaseActivities(ActivityDeps(sessions=sessions))
    async with transaction(sessions) as session:
        await activities.queue_opened(
            session,
            ObligationNotice(
                **opened, role=Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER, assignee=None
            ),
        )
        await activities.queue_opened(  # a named owner nobody active is: the administrators
            session, ObligationNotice(**opened, role=None, assignee="E-GONE")
        )
    await ActivityEnvironment().run(
        activities.escalate_breach,
        EscalationRequest(
            case_id=CASE,
            example=names.EXAMPLE_CREDIBILITY,
            obligation="credibility-adjudication",
            title="Closure-credibility adjudication",
            role=Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER,
            assignee=None,
            deadline=AT + timedelta(hours=8),
            level=1,
            at=AT + timedelta(hours=9),
        ),
    )
    async with sessions() as session:
        mails = (await session.execute(select(OutboxMessage.subject, OutboxMessage.body))).all()
    subjects = sorted({subject for subject, _ in mails})
    assert subjects == [
        f"Overdue, reminder 1: Closure-credibility adjudication {ABOUT}",
        f"This is now yours: Closure-credibility adjudication {ABOUT}",
        f"[Action needed] Nobody active holds the named owner E-GONE {ABOUT}",
    ], subjects
    assert all("near miss NM-10039, closed case CC-0002" in body for _, body in mails)
