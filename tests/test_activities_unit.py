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
from domain.calendar import compute_deadline
from domain.cases import (
    CaseInput,
    CloseRequest,
    KeyedEvent,
    ProjectionUpdate,
    RecordEntryRequest,
    RecordStepRequest,
    TimelineEvent,
)
from domain.credibility import CredibilityStepRequest
from domain.periodic import ReviewedRequest
from store.cases import case_events, seed_case
from store.db import transaction
from store.register_reads import earlier_append, entries, find_request, stored_entry
from store.tables import Case, OutboxMessage
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


def _step(at: datetime, request_id: str) -> RecordStepRequest:
    """Example 1's step 2 as the workflow records it: the entry and the projection."""
    entry = RecordEntryRequest(
        register_name=LOG,
        subject="ack-case-NM-1",
        kind="triage_attribution",
        actor="E-SUPERVISOR",
        at=at,
        payload={"note": "n", "request_id": request_id},
    )
    event = TimelineEvent(at=at, kind="step_submitted", actor="E-SUPERVISOR", detail={"x": 1})
    earlier = TimelineEvent(at=at, kind="document_opened", actor="E-SUPERVISOR")
    projection = ProjectionUpdate(
        case_id="ack-case-NM-1",
        example=names.EXAMPLE_ACKNOWLEDGMENT,
        reference="NM-1",
        review_id="ack-review-2026-11-27",
        service_line="SL-A",
        exposure="critical",
        stage="retention-impact",
        status="open",
        assigned_role="director",
        assignee=None,
        deadline=AT + timedelta(days=1),
        escalation_level=0,
        opened_at=AT,
        at=at,
        event=event,
        event_key="ack-case-NM-1:7",
        done_obligations=["triage-attribution"],
        earlier_events=[KeyedEvent(key="ack-case-NM-1:6", event=earlier)],
    )
    return RecordStepRequest(entry=entry, projection=projection)


async def test_a_retried_record_step_writes_once(sessions) -> None:  # type: ignore[no-untyped-def]
    """The entry, the case row and the timeline (the event naming the entry's seq, after the
    events before it) once, whether the retry comes at the same instant or later (a crash)."""
    deps = ActivityDeps(sessions=sessions)
    async with transaction(sessions) as session:
        await seed_case(session, _case(), "W-1")
    env = ActivityEnvironment()
    step = _step(AT + timedelta(minutes=1), "key-1#abc")
    first = await env.run(CaseActivities(deps).record_step, step)
    again = await env.run(CaseActivities(deps).record_step, step)
    later = _step(AT + timedelta(minutes=4), "key-1#abc")
    retried = await env.run(CaseActivities(deps).record_step, later)
    assert first == again == retried
    async with sessions() as session:
        stored = await entries(session, LOG, "ack-case-NM-1")
        timeline = await case_events(session, "ack-case-NM-1")
        case = await session.get(Case, "ack-case-NM-1")
    assert [(e.seq, e.kind, e.payload["employee_id"]) for e in stored] == [
        (first.seq, "triage_attribution", "W-1")
    ]
    assert [(e.kind, e.detail.get("seq")) for e in timeline] == [
        ("document_opened", None),
        ("step_submitted", first.seq),
    ]
    assert case is not None and case.stage == "retention-impact"


async def test_record_step_brings_the_deadlines_asked_for(sessions) -> None:  # type: ignore[no-untyped-def]
    """The deadlines a step's acceptance opens come with its entry, counted from its instant,
    as the calendar's own activity computes them (a retry brings the same)."""
    deps = ActivityDeps(sessions=sessions)
    async with transaction(sessions) as session:
        await seed_case(session, _case(), "W-1")
    env = ActivityEnvironment()
    rules = ["4 working hours", "close of business", "2 working days"]
    at = AT + timedelta(hours=7, minutes=30)  # 17:30 local: each rule runs into the next day
    step = _step(at, "key-2").model_copy(update={"calendar": CALENDAR, "deadline_rules": rules})
    first = await env.run(CaseActivities(deps).record_step, step)
    again = await env.run(CaseActivities(deps).record_step, step)
    assert first.deadlines == [compute_deadline(CALENDAR, rule, at) for rule in rules]
    assert again == first
    assert (await env.run(CaseActivities(deps).record_step, _step(at, "key-2"))).deadlines == []


async def test_earlier_append_finds_what_the_two_lookups_found(sessions) -> None:  # type: ignore[no-untyped-def]
    """One read of the subject's entries answers as ``stored_entry`` (kind, instant, actor)
    then ``find_request`` (the request ID) did, for each way a retry can look."""
    deps = ActivityDeps(sessions=sessions)
    async with transaction(sessions) as session:
        await seed_case(session, _case(), "W-1")
    env = ActivityEnvironment()
    for n, kind in enumerate(["a", "b", "a"]):
        request = RecordEntryRequest(
            register_name=LOG,
            subject="ack-case-NM-1",
            kind=kind,
            actor=f"E-{n % 2}",
            at=AT + timedelta(minutes=n),
            payload={"request_id": f"r{n}"},
        )
        await env.run(CaseActivities(deps).record_entry, request)
    probes = [
        (kind, AT + timedelta(minutes=m), f"E-{a}", rid)
        for kind in ("a", "b", "c")
        for m in (0, 1, 2, 9)
        for a in (0, 1)
        for rid in (None, "r0", "r1", "r2", "r9")
    ]
    async with sessions() as session:
        for kind, at, actor, rid in probes:
            old = await stored_entry(
                session,
                register=LOG,
                subject="ack-case-NM-1",
                kind=kind,
                recorded_at=at,
                actor=actor,
            )
            if old is None and rid is not None:
                old = await find_request(session, LOG, "ack-case-NM-1", rid)
            new = await earlier_append(
                session,
                register=LOG,
                subject="ack-case-NM-1",
                kind=kind,
                recorded_at=at,
                actor=actor,
                request_id=rid,
            )
            assert (old and old.seq) == (new and new.seq), (kind, at, actor, rid)
    assert sum(1 for p in probes if p[3] == "r9" and p[0] == "c") > 0


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
