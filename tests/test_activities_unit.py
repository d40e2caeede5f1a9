"""Activities alone, run by Temporal's ActivityEnvironment (activity context, heartbeat and
cancellation as a worker gives them) against a real database, SQLite and PostgreSQL: a retried
activity writes once, and the case openers' shared input and the closure's mail are as said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from temporalio.testing import ActivityEnvironment

from activities.case_starter import review_case_input
from activities.cases import CaseActivities
from activities.credibility import CredibilityActivities
from activities.deps import ActivityDeps
from domain import names
from domain.cases import CaseInput, CloseRequest, RecordEntryRequest
from domain.credibility import CredibilityStepRequest
from domain.periodic import ReviewedRequest
from store.cases import seed_case
from store.db import transaction
from store.registers import entries
from store.tables import OutboxMessage
from store.tables import ReviewItem as ReviewItemRow
from tests.factories import load, staff_rows
from tests.workflow_support import CALENDAR

AT = datetime(2026, 11, 27, 10, tzinfo=UTC)
LOG = "acknowledgment-recovery-log"


def _case(case_id: str = "ack-case-NM-1") -> CaseInput:
    return CaseInput(
        case_id=case_id,
        example=names.EXAMPLE_ACKNOWLEDGMENT,
        reference="NM-1",
        review_id="ack-review-2026-11-27",
        exposure="critical",
        service_line="SL-A",
        opened_at=AT,
        calendar=CALENDAR,
        policy_version="ack-policy-v1",
    )


async def test_a_retried_record_entry_writes_once(sessions) -> None:  # type: ignore[no-untyped-def]
    deps = ActivityDeps(sessions=sessions)
    async with transaction(sessions) as session:
        await seed_case(session, _case(), "W-1")
    env = ActivityEnvironment()
    request = RecordEntryRequest(
        register_name=LOG,
        subject="ack-case-NM-1",
        kind="pathway_accepted",
        actor="E-OWNER",
        at=AT,
        payload={"request_id": "key-1"},
    )
    first = await env.run(CaseActivities(deps).record_entry, request)
    again = await env.run(CaseActivities(deps).record_entry, request)
    later = request.model_copy(update={"at": AT + timedelta(minutes=3)})  # a crash's retry
    retried = await env.run(CaseActivities(deps).record_entry, later)
    assert first == again == retried
    async with sessions() as session:
        stored = await entries(session, LOG, "ack-case-NM-1")
    assert len(stored) == 1
    assert stored[0].payload["employee_id"] == "W-1"  # the reporting worker, for look-ups


async def test_a_retried_close_records_once_and_mails_the_worker_once(sessions) -> None:  # type: ignore[no-untyped-def]
    deps = ActivityDeps(sessions=sessions)
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        await seed_case(session, _case(), "W-100")
    request = CloseRequest(
        case_id="ack-case-NM-1",
        reference="NM-1",
        example=names.EXAMPLE_ACKNOWLEDGMENT,
        category="recovered",
        final_reviewing_role="director",
        at=AT,
        register_name=LOG,
    )
    env = ActivityEnvironment()
    first = await env.run(CaseActivities(deps).close_case, request)
    again = await env.run(CaseActivities(deps).close_case, request)
    assert len(first) == 1 and first == again
    async with sessions() as session:
        closed = await entries(session, LOG, "ack-case-NM-1")
        mails = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert [e.kind for e in closed] == ["case_closed"]
    assert closed[0].payload["closure_category"] == "recovered"
    assert mails == 1


async def test_no_reconfirmation_without_an_active_worker(sessions) -> None:  # type: ignore[no-untyped-def]
    deps = ActivityDeps(sessions=sessions)
    async with transaction(sessions) as session:
        await seed_case(session, _case("closure-case-CC-1"), "W-GONE")
    request = CredibilityStepRequest(
        case_id="closure-case-CC-1", case_ref="CC-1", reference="NM-1", review_id="r", at=AT
    )
    sent = await ActivityEnvironment().run(
        CredibilityActivities(deps).request_reconfirmation, request
    )
    assert sent == []


def test_every_case_opener_builds_its_input_from_the_review_item() -> None:
    request = ReviewedRequest(
        review_id="closure-review-2026-10",
        actor="E-WXANALYST",
        at=AT,
        calendar=CALENDAR,
        policy_version="closure-policy-v1",
    )
    item = ReviewItemRow(
        review_id="closure-review-2026-10",
        reference="CC-1",
        classification="doubtful",
        reasons=[],
        fields={"reference": "NM-7", "service_line": "SL-B"},
    )
    inp = review_case_input(
        request,
        item,
        case_id="closure-case-CC-1",
        example=names.EXAMPLE_CREDIBILITY,
        policy_version="closure-policy-v2",
        reference="NM-7",
    )
    assert (inp.reference, inp.exposure, inp.service_line) == ("NM-7", "doubtful", "SL-B")
    assert (inp.review_id, inp.opened_at, inp.policy_version) == (
        "closure-review-2026-10",
        AT,
        "closure-policy-v2",
    )
