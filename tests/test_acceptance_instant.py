"""One recorded instant per acceptance (issue 10, item 9): the receipt's accepted_at is the step's
done_at and the instant the next step's deadline counts from (PRODUCT.md: "the previous step's
acceptance")."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import BusinessCalendar
from tests.acknowledgment_support import (
    TRIAGE_DOCS,
    attribution_fields,
    open_docs,
    review_and_open_case,
)
from tests.workflow_support import CALENDAR, running_worker, submit, wait_stage


async def test_the_receipts_instant_starts_the_next_deadline(own_env, sqlite_url, sessions_for):
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions) as queue:
        case = await review_and_open_case(own_env, sessions, queue, "NM-ONE-1")
        state = await wait_stage(case, "triage-attribution")
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        # A projection in flight when the step is accepted (the documents' last one) must not
        # move the instant: submit at once.
        receipt = await submit(
            case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state)
        )
        state = await wait_stage(case, "retention-impact")
    accepted = datetime.fromisoformat(str(receipt["accepted_at"]))
    assert state.obligations["triage-attribution"].done_at == accepted
    retention = state.obligations["retention-impact"]
    expected = BusinessCalendar(CALENDAR).deadline("4 working hours", accepted)
    assert retention.deadline == expected
