"""The step engine and its escalation, with every activity replaced by name (samples-python's
``hello_activity_choice`` test pattern): the real example-1 case workflow runs on the
time-skipping server against fakes registered under the same ``@activity.defn(name=...)`` names,
which record their calls. No database, no mail: what is asserted is what the engine asks for.

The calendar fake answers with the real, pure calendar (``domain.calendar``), so the instants it
expects are the provider's working hours.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain import names
from domain.acknowledgment import AttributionValues, RetentionValues
from domain.acknowledgment_steps import RETENTION_IMPACT, TRIAGE_ATTRIBUTION
from domain.calendar import BusinessCalendar, DeadlineResult, compute_deadline
from domain.cases import (
    CaseInput,
    CaseRef,
    DeadlineRequest,
    DocumentOpened,
    EscalationRequest,
    EscalationResult,
    ObligationNotice,
    ProjectionUpdate,
    RecordEntryResult,
    RecordStepRequest,
)
from domain.step_opening import OpenStepRequest, OpenStepResult
from tests.bounds_support import worker_running
from tests.workflow_support import CALENDAR, actor, case_state, skip, submit, wait_for
from workflows.acknowledgment import AcknowledgmentCaseWorkflow

pytestmark = pytest.mark.dated  # run again as of a risky start date (make test-dated)

STEP = TRIAGE_ATTRIBUTION.slug
SUPERVISOR = "E-SUPERVISOR"
EVERY = "4 working hours"


class Fakes:
    """Every activity the case's first steps call, by name; each call is recorded."""

    def __init__(self) -> None:
        self.escalations: list[EscalationRequest] = []
        self.opened: list[ObligationNotice] = []
        self.steps: list[RecordStepRequest] = []
        self.projections: list[ProjectionUpdate] = []

    @activity.defn(name=names.ACT_COMPUTE_DEADLINE)
    async def deadline(self, request: DeadlineRequest) -> DeadlineResult:
        return compute_deadline(request.calendar, request.rule, request.start)

    @activity.defn(name=names.ACT_PROJECT_CASE)
    async def project(self, update: ProjectionUpdate) -> None:
        self.projections.append(update)

    @activity.defn(name=names.ACT_RECORD_STEP)
    async def record_step(self, request: RecordStepRequest) -> RecordEntryResult:
        self.steps.append(request)
        return RecordEntryResult(register_name=request.entry.register_name, seq=1, hash="h")

    @activity.defn(name=names.ACT_ESCALATE)
    async def escalate(self, request: EscalationRequest) -> EscalationResult:
        self.escalations.append(request)
        return EscalationResult(breach_recorded=True, notified=[f"level-{request.level}"])

    @activity.defn(name=names.ACT_NOTIFY_OPENED)
    async def notify_opened(self, notice: ObligationNotice) -> int:
        self.opened.append(notice)
        return 0

    @activity.defn(name=names.ACT_DELIVER_NOTIFICATIONS)
    async def deliver(self, message_ids: list[int]) -> int:
        return len(message_ids)

    @activity.defn(name=names.ACT_ATTRIBUTION_VALUES)
    async def attribution(self, _ref: CaseRef) -> AttributionValues:
        return AttributionValues(
            indicator_count=1,
            indicators=["manager_non_review"],
            repeated_worker_exposure=False,
            repeated_category_under_triage=False,
            unsafe_condition_active_while_pending=False,
        )

    @activity.defn(name=names.ACT_RETENTION_VALUES)
    async def retention(self, _ref: CaseRef) -> RetentionValues:
        return RetentionValues(
            prior_reports_180d=0,
            repeated_exposures_same_domain_180d=0,
            open_concern=False,
            open_concern_types=[],
            prior_90d_retention_risk="none",
        )

    @activity.defn(name=names.ACT_OPEN_STEP)
    async def open_step(self, request: OpenStepRequest) -> OpenStepResult:
        self.projections.append(request.projection)
        self.opened += request.notices
        arg = CaseRef.model_validate(request.values_arg)
        compute = {
            names.ACT_ATTRIBUTION_VALUES: self.attribution,
            names.ACT_RETENTION_VALUES: self.retention,
        }[request.values_activity]
        return OpenStepResult(values=(await compute(arg)).model_dump(mode="json"))

    def activities(self) -> list[Any]:
        return [
            self.open_step,
            self.deadline,
            self.project,
            self.record_step,
            self.escalate,
            self.notify_opened,
            self.deliver,
            self.attribution,
            self.retention,
        ]

    def levels(self, obligation: str) -> list[tuple[int, datetime]]:
        return [(e.level, e.at) for e in self.escalations if e.obligation == obligation]


@asynccontextmanager
async def case_on_fakes(
    env: WorkflowEnvironment, fakes: Fakes
) -> AsyncIterator[tuple[WorkflowHandle[Any, Any], datetime]]:
    """An example-1 case opened at 09:00 on the next working day (its first step due at close
    of business), on a worker with only the fakes; yields the handle and the step's deadline."""
    now = await env.get_current_time()
    day = BusinessCalendar(CALENDAR).next_working_day(now.date())
    opened = BusinessCalendar(CALENDAR).wall(day, time(9)).astimezone(UTC)
    await skip(env, opened - now)
    queue = f"tq-{uuid.uuid4().hex}"
    inp = CaseInput(
        case_id=f"ack-case-NM-{uuid.uuid4().hex[:8]}",
        example=names.EXAMPLE_ACKNOWLEDGMENT,
        reference="NM-FAKE",
        review_id="ack-review-fake",
        exposure="high",
        service_line="surgery",
        opened_at=opened,
        calendar=CALENDAR,
        policy_version="ack-policy-v1",
    )
    worker = Worker(
        env.client,
        task_queue=queue,
        workflows=[AcknowledgmentCaseWorkflow],
        activities=fakes.activities(),
    )
    async with worker_running(worker, queue):
        handle = await env.client.start_workflow(
            names.WF_ACK_CASE, inp, id=inp.case_id, task_queue=queue
        )

        async def step_open() -> bool:
            return STEP in (await case_state(handle)).computed

        await wait_for(step_open)
        yield handle, compute_deadline(CALENDAR, TRIAGE_ATTRIBUTION.deadline_rule, opened).due_at
        await handle.terminate("test over")


async def submit_attribution(handle: WorkflowHandle[Any, Any]) -> None:
    """Open the step's documents and submit fields matching the fake's computed values."""
    for doc in TRIAGE_ATTRIBUTION.prerequisites:
        await handle.execute_update(
            names.UPDATE_OPEN_DOCUMENT, DocumentOpened(document=doc, actor=actor(SUPERVISOR))
        )
    evidence = [{"document": "report-chronology"}, {"document": "risk-classification-source"}]
    fields = {
        "confirmed_sources": [{"source": "manager_non_review", "evidence": evidence}],
        "indicators_above_threshold": 1,
        "repeated_worker_exposure": False,
        "category_repeatedly_under_triaged": False,
        "unsafe_condition_active_while_pending": False,
        "note": "No manager review for three days",
    }
    await submit(handle, STEP, SUPERVISOR, fields)


async def test_a_missed_step_escalates_at_its_deadline_then_every_four_working_hours(
    own_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with case_on_fakes(own_env, fakes) as (handle, deadline):
        assert [n.obligation for n in fakes.opened] == [STEP]  # the owner was told, once
        level2 = compute_deadline(CALENDAR, EVERY, deadline).due_at
        level3 = compute_deadline(CALENDAR, EVERY, level2).due_at
        assert level2 - deadline > timedelta(hours=4)  # working hours: overnight does not count
        await skip(own_env, level3 + timedelta(minutes=1) - await own_env.get_current_time())

        await wait_for(lambda: _async(len(fakes.levels(STEP)) == 3))
        assert fakes.levels(STEP) == [(1, deadline), (2, level2), (3, level3)]
        breach = fakes.escalations[0]
        assert (breach.deadline, breach.role) == (deadline, TRIAGE_ATTRIBUTION.role)
        state = await case_state(handle)
        assert state.obligations[STEP].level == 3
        assert (
            state.obligations[STEP].next_escalation_at
            == compute_deadline(CALENDAR, EVERY, level3).due_at
        )

        await submit_attribution(handle)
        # Completing the step is what resolves its breach: the step's record carries it as done.
        [recorded] = fakes.steps
        assert STEP in recorded.projection.done_obligations
        assert recorded.entry.payload["late"] is True
        done = (await case_state(handle)).obligations[STEP]
        assert done.done_by == SUPERVISOR and done.late
        # No reminder after completion: the next step opens and escalates twice, this one never.
        # Skip to its second level as the case computed it (a fixed 3 days fell short from a
        # Tuesday 22 December: the 25th, the weekend and the 28th are not working days).
        nxt = await wait_for(lambda: _obligation(handle, RETENTION_IMPACT.slug))
        level2 = compute_deadline(CALENDAR, EVERY, nxt.deadline).due_at
        await skip(own_env, level2 + timedelta(minutes=1) - await own_env.get_current_time())
        await wait_for(lambda: _async(len(fakes.levels(RETENTION_IMPACT.slug)) >= 2))
        assert len(fakes.levels(STEP)) == 3
        assert [n.obligation for n in fakes.opened] == [STEP, RETENTION_IMPACT.slug]


async def test_a_step_done_before_its_deadline_never_escalates(
    own_env: WorkflowEnvironment,
) -> None:
    fakes = Fakes()
    async with case_on_fakes(own_env, fakes) as (handle, deadline):
        await submit_attribution(handle)
        await skip(own_env, deadline + timedelta(days=2) - await own_env.get_current_time())
        await wait_for(lambda: _async(len(fakes.levels(RETENTION_IMPACT.slug)) >= 2))
        assert fakes.levels(STEP) == []
        [recorded] = fakes.steps
        assert recorded.entry.payload["late"] is False
        assert (await case_state(handle)).obligations[STEP].late is False


async def _async(value: bool) -> bool:
    return value


async def _obligation(handle: WorkflowHandle[Any, Any], slug: str) -> Any:
    """The case's obligation SLUG once it is open (None before)."""
    return (await case_state(handle)).obligations.get(slug)
