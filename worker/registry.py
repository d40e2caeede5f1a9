"""Every workflow and activity the worker runs, registered in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from activities.acknowledgment import AcknowledgmentActivities
from activities.alerts import AlertActivities
from activities.anchor import AnchorActivities
from activities.calendar import compute_deadline_activity, is_working_day_activity
from activities.cases import CaseActivities
from activities.credibility import CredibilityActivities
from activities.deps import ActivityDeps
from activities.learning import LearningActivities
from activities.opening import StepOpening
from activities.packs import PackActivities
from activities.register_verification import RegisterVerificationActivities
from activities.schedules import ScheduleActivities
from config.settings import Settings
from domain import names
from infra.mail import MailSettings
from worker.log_context import LogContextInterceptor
from workflows.acknowledgment import AcknowledgmentCaseWorkflow
from workflows.anchor import RegisterAnchorWorkflow
from workflows.credibility import CredibilityCaseWorkflow
from workflows.learning import LearningCaseWorkflow
from workflows.packs import PackWorkflow
from workflows.register_verification import RegisterVerificationWorkflow
from workflows.reviews import ReviewWorkflow
from workflows.schedules import ScheduledStartWorkflow

# How long a stopping worker lets its running activities finish before it cancels them.
GRACEFUL_STOP = timedelta(seconds=10)

WORKFLOWS: list[type] = [
    ReviewWorkflow,
    AcknowledgmentCaseWorkflow,
    PackWorkflow,
    ScheduledStartWorkflow,
    CredibilityCaseWorkflow,
    LearningCaseWorkflow,
    RegisterAnchorWorkflow,
    RegisterVerificationWorkflow,
]


def activities(deps: ActivityDeps) -> list[Callable[..., Any]]:
    """Activity callables bound to their dependencies."""
    cases = CaseActivities(deps)
    ack = AcknowledgmentActivities(deps)
    learning = LearningActivities(deps)
    credibility = CredibilityActivities(deps)
    packs = PackActivities(deps)
    # Every activity that computes a step's values, by name: a step opens with one of them.
    values: dict[str, Callable[[Any], Awaitable[Any]]] = {
        names.ACT_ATTRIBUTION_VALUES: ack.compute_attribution_values,
        names.ACT_RETENTION_VALUES: ack.compute_retention_values,
        names.ACT_AUTHORIZATION_SHEET: ack.check_authorization_sheet,
        names.ACT_LEARNING_ATTRIBUTION_VALUES: learning.compute_learning_attribution_values,
        names.ACT_LEARNING_STANDARDS_SHEET: learning.check_learning_control_standards_sheet,
        names.ACT_LEARNING_FOLLOW_UP: learning.compute_learning_follow_up,
        names.ACT_ADJUDICATION_VALUES: credibility.compute_adjudication_values,
        names.ACT_REPAIR_PREREQUISITES: credibility.check_repair_prerequisites,
        names.ACT_VALIDATION_VALUES: credibility.compute_validation_values,
    }
    return [
        compute_deadline_activity,
        is_working_day_activity,
        cases.project_case,
        cases.record_entry,
        cases.record_step,
        cases.escalate_breach,
        cases.deliver_notifications,
        cases.notify_obligation_opened,
        cases.notify_pathway_opened,
        cases.notify_pathway_reassigned,
        cases.close_case,
        StepOpening(deps, cases, values).open_step,
        AlertActivities(deps).alert_values_failing,
        ack.generate_acknowledgment_review,
        ack.value_acknowledgment_review,
        ack.mark_review_reviewed,
        ack.record_review_sign_off,
        ack.open_acknowledgment_cases,
        packs.generate_pack,
        packs.publish_pack,
        ScheduleActivities(deps).start_governance_workflow,
        AnchorActivities(deps).anchor_register_heads,
        RegisterVerificationActivities(deps).verify_registers,
        *values.values(),
        credibility.generate_closure_review,
        credibility.open_closure_cases,
        credibility.compute_closure_baseline,
        credibility.request_reconfirmation,
        learning.generate_learning_audit,
        learning.open_learning_cases,
        learning.pin_learning_baseline,
    ]


def deps_from_settings(
    settings: Settings, client: Client, sessions: async_sessionmaker[AsyncSession]
) -> ActivityDeps:
    mail = MailSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        public_url=settings.public_url,
        timezone=settings.timezone,
    )
    return ActivityDeps(
        sessions=sessions,
        client=client,
        mail=mail,
        task_queue=settings.temporal_task_queue,
        calendar=settings.calendar_config(),
        cycle_anchor=date.fromisoformat(settings.cycle_anchor),
        review_parts=settings.review_parts,
    )


def make_worker(client: Client, deps: ActivityDeps, task_queue: str) -> Worker:
    """A worker for all workflows and activities on TASK_QUEUE."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=activities(deps),
        activity_executor=ThreadPoolExecutor(4),
        interceptors=[LogContextInterceptor()],
        # A stop lets running activities finish (each is one short transaction) before it
        # cancels them. Cancelled mid-statement on SQLite, an activity's closed connection
        # lingered until garbage collection still holding the write lock, and the next writer
        # waited out the 30 s busy timeout: stops of 30-32 s in example 3's review test.
        graceful_shutdown_timeout=GRACEFUL_STOP,
    )


def build_worker(
    client: Client, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> Worker:
    """The production worker (called by `nearmiss worker`)."""
    deps = deps_from_settings(settings, client, sessions)
    return make_worker(client, deps, settings.temporal_task_queue)
