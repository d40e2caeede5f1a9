"""A step's record falls back from its local activity to an ordinary activity when the local
attempt cannot finish (the database down past the give-up time), and is written once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from activities.cases import CaseActivities
from activities.deps import ActivityDeps
from domain import names
from domain.cases import RecordEntryResult, RecordStepRequest
from infra.mail import MailSettings
from store.tables import Case, RegisterEntry
from tests.acknowledgment_support import (
    TRIAGE_DOCS,
    attribution_fields,
    open_docs,
    review_and_open_case,
)
from tests.bounds_support import worker_running
from tests.workflow_support import submit, wait_for, wait_stage
from worker.registry import WORKFLOWS, activities


async def test_a_record_step_that_cannot_run_locally_is_written_by_an_activity(
    own_env, sqlite_url, sessions_for, smtp_server
):
    sessions = sessions_for(sqlite_url)
    queue = f"tq-{uuid.uuid4().hex}"
    _, port = smtp_server  # workflows finish only once their mails are delivered
    deps = ActivityDeps(
        sessions=sessions, client=own_env.client, task_queue=queue, mail=MailSettings(port=port)
    )
    real = CaseActivities(deps).record_step
    attempts: list[str] = []

    @activity.defn(name=names.ACT_RECORD_STEP)
    async def record_step(request: RecordStepRequest) -> RecordEntryResult:
        # The local attempt gives up at once (as after the give-up time); the real write runs
        # as an ordinary activity.
        if activity.info().is_local:
            attempts.append("local")
            raise ApplicationError("database unavailable", non_retryable=True)
        attempts.append("activity")
        return await real(request)

    others = [a for a in activities(deps) if getattr(a, "__name__", "") != "record_step"]
    worker = Worker(
        own_env.client,
        task_queue=queue,
        workflows=WORKFLOWS,
        activities=[*others, record_step],
        activity_executor=ThreadPoolExecutor(4),
    )
    async with worker_running(worker, queue):
        case = await review_and_open_case(own_env, sessions, queue, "NM-FALLBACK-1")
        state = await wait_stage(case, "triage-attribution")
        await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
        fields = attribution_fields(state)
        receipt = await submit(case, "triage-attribution", "E-SUPERVISOR", fields)
        assert attempts == ["local", "activity"]
        await wait_stage(case, "retention-impact")

        async def projected() -> bool:
            # The stage's projection is written after the workflow moved on: wait for it.
            async with sessions() as session:
                row = await session.get(Case, case.id)
            return row is not None and row.stage == "retention-impact"

        await wait_for(projected)
    async with sessions() as session:
        entries = (
            await session.scalars(
                select(RegisterEntry).where(
                    RegisterEntry.subject == case.id, RegisterEntry.kind == "triage_attribution"
                )
            )
        ).all()
    assert [e.seq for e in entries] == [receipt["entry_seq"]]
