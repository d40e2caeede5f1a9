"""Example 1 activities: generate the daily review, open cases, compute step values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.case_starter import open_review_cases, review_case_input
from activities.deps import ActivityDeps
from domain import names
from domain.acknowledgment import EXPOSED, AckPolicy, AttributionValues, RetentionValues
from domain.acknowledgment_steps import SAFETY_LEARNING_ASSURANCE_WORKSPACE
from domain.calendar import calendar_for
from domain.cases import CaseInput, CaseRef
from domain.instants import instant
from domain.periodic import (
    GenerateReviewRequest,
    OpenCasesResult,
    ReviewedRequest,
    ReviewSummary,
    ReviewValued,
    SignOffRequest,
    ValueReviewRequest,
)
from domain.reviews import GENERATE_REVIEW, REVIEWS
from store import acknowledgment as reviews
from store.acknowledgment_values import attribution_values, case_policy, retention_values
from store.analytics_values import value_review
from store.breaches import resolve_breaches
from store.db import transaction
from store.documents import build_document
from store.policies import current_policy
from store.register_reads import stored_entry
from store.registers import append_entry
from store.review_build import build_review
from store.review_items import items_classified
from store.sources import current_records
from store.tables import Case, Review


def _instant(value: str) -> datetime:
    parsed = instant(value)
    assert parsed is not None
    return parsed


def generation_instant() -> datetime:
    """The instant this attempt of a generation activity started (Temporal's clock, so the
    time-skipping server's in tests): the review's true generation time, not its as_of."""
    return activity.info().current_attempt_scheduled_time


async def record_generation(
    session: AsyncSession,
    review_id: str,
    workspace: str,
    generated_at: datetime,
    payload: dict[str, Any],
    kind: str = "review_generated",
) -> None:
    """Store the generated review in its example's workspace (the seed: "stored in the …
    workspace before any case can be classified") and resolve a late generation's breaches."""
    await workspace_entry(session, review_id, kind, "system", generated_at, payload, workspace)
    await resolve_breaches(session, review_id, [GENERATE_REVIEW], generated_at)


async def workspace_entry(
    session: AsyncSession,
    review_id: str,
    kind: str,
    actor: str,
    at: datetime,
    payload: dict[str, Any],
    workspace: str = SAFETY_LEARNING_ASSURANCE_WORKSPACE,
) -> None:
    """Record a review event in its example's workspace (default: example 1's), once."""
    if await stored_entry(session, register=workspace, subject=review_id, kind=kind) is None:
        await append_entry(
            session,
            workspace,
            actor=actor,
            recorded_at=at,
            subject=review_id,
            kind=kind,
            payload=payload,
        )


class AcknowledgmentActivities:
    """Activities of the daily acknowledgment and triage reliability review."""

    def __init__(self, deps: ActivityDeps) -> None:
        self.deps = deps

    @activity.defn(name=names.ACT_GENERATE_ACK_REVIEW)
    async def generate_acknowledgment_review(self, request: GenerateReviewRequest) -> ReviewSummary:
        """Reconcile, classify and store the review with the provider's current rules, recording
        when it was really generated (idempotent: an existing review is kept)."""
        async with self.deps.sessions() as session:
            policy = await current_policy(session, AckPolicy)
        build = reviews.review_build(
            request.review_id,
            date.fromisoformat(request.period),
            request.as_of,
            policy,
            generated_at=generation_instant(),
        )

        async def record(session: AsyncSession, review: Review) -> None:
            result = reviews.stored_result(review)
            await record_generation(
                session,
                review.review_id,
                SAFETY_LEARNING_ASSURANCE_WORKSPACE,
                result.generated_at,
                {
                    "counts": result.counts,
                    "exceptions": result.exceptions,
                    "as_of": result.as_of.isoformat(),
                    "generated_at": result.generated_at.isoformat(),
                },
            )

        review = await build_review(self.deps.sessions, build, self.deps.review_parts, record)
        result = reviews.stored_result(review)
        return ReviewSummary(
            review_id=result.review_id,
            as_of=result.as_of,
            generated_at=result.generated_at,
            counts=result.counts,
            exceptions=result.exceptions,
            exposed=result.exposed,
        )

    @activity.defn(name=names.ACT_VALUE_ACK_REVIEW)
    async def value_acknowledgment_review(self, request: ValueReviewRequest) -> ReviewValued:
        """Write the generated review's analytics values by its calendar, so no read pays for
        them (``store.analytics_values``); heartbeats each chunk. Idempotent: one transaction,
        and a retry after success writes nothing."""
        cal = calendar_for(request.calendar)
        async with transaction(self.deps.sessions) as session:
            items = await value_review(session, request.review_id, cal, activity.heartbeat)
        return ReviewValued(items=items)

    @activity.defn(name=names.ACT_MARK_REVIEW_REVIEWED)
    async def mark_review_reviewed(self, request: ReviewedRequest) -> bool:
        """Record who marked the review reviewed, and when (first mark kept)."""
        async with transaction(self.deps.sessions) as session:
            marked = await reviews.mark_review_reviewed(
                session, request.review_id, request.actor, request.at
            )
            # Every example's review is marked through this activity: its own workspace records it.
            review = await session.get(Review, request.review_id)
            spec = REVIEWS.get(review.example) if review is not None else None
            await workspace_entry(
                session,
                request.review_id,
                "review_marked_reviewed",
                request.actor,
                request.at,
                {},
                spec.workspace if spec is not None else SAFETY_LEARNING_ASSURANCE_WORKSPACE,
            )
            return marked

    @activity.defn(name=names.ACT_RECORD_REVIEW_SIGN_OFF)
    async def record_review_sign_off(self, request: SignOffRequest) -> None:
        """Store the sign-off deadline the review workflow opened (My work, evidence read it)."""
        async with transaction(self.deps.sessions) as session:
            await reviews.record_sign_off(
                session, request.review_id, request.due_at, request.back_run
            )

    @activity.defn(name=names.ACT_OPEN_ACK_CASES)
    async def open_acknowledgment_cases(self, request: ReviewedRequest) -> OpenCasesResult:
        """Start one case per exposed report, ever; an existing case is told of a rise."""

        async def cases(session: AsyncSession) -> list[tuple[str, CaseInput]]:
            exposed = [e.value for e in EXPOSED]
            return [
                (
                    item.reference,
                    review_case_input(
                        request,
                        item,
                        case_id=names.ack_case_id(item.reference),
                        example=names.EXAMPLE_ACKNOWLEDGMENT,
                        policy_version=request.policy_version,
                    ),
                )
                for item in await items_classified(session, request.review_id, exposed)
            ]

        return await open_review_cases(
            self.deps, request, names.WF_ACK_CASE, cases, raise_exposure=True
        )

    async def _report(self, session: AsyncSession, reference: str) -> dict[str, Any]:
        rows = await current_records(session, "incident-platform", [reference])
        if reference not in rows:
            raise ApplicationError(f"report {reference} not found", non_retryable=True)
        report: dict[str, Any] = rows[reference]
        return report

    @activity.defn(name=names.ACT_ATTRIBUTION_VALUES)
    async def compute_attribution_values(self, ref: CaseRef) -> AttributionValues:
        """Step 2's computed values (indicator count, repeated-pattern flags) as of opening."""
        async with self.deps.reading() as session:  # one session: one transaction
            report = await self._report(session, ref.reference)
            policy = await case_policy(session, ref.case_id) or self.deps.ack_policy
            return await attribution_values(
                session,
                ref.reference,
                report["employee_id"],
                report["category_code"],
                ref.as_of,
                policy=policy,
            )

    @activity.defn(name=names.ACT_RETENTION_VALUES)
    async def compute_retention_values(self, ref: CaseRef) -> RetentionValues:
        """Step 3's reconciled values (180-day counts, open concern, prior 90-day risk)."""
        async with self.deps.reading() as session:  # one session: one transaction
            report = await self._report(session, ref.reference)
            policy = await case_policy(session, ref.case_id) or self.deps.ack_policy
            return await retention_values(
                session,
                ref.reference,
                report["employee_id"],
                _instant(report["submitted_at"]),
                report["risk_domain"],
                ref.as_of,
                policy=policy,
            )

    @activity.defn(name=names.ACT_AUTHORIZATION_SHEET)
    async def check_authorization_sheet(self, ref: CaseRef) -> dict[str, Any]:
        """Whether the reporting-control authorization sheet is complete (and what is missing)."""
        async with self.deps.reading() as session:
            case = await session.get(Case, ref.case_id)
            case_review = case.review_id if case else ""
            sheet = await build_document(
                session,
                "reporting-control-authorization-sheet",
                reference=ref.reference,
                review_id=case_review,
                case_id=ref.case_id,
            )
        return {"complete": bool(sheet["complete"]), "missing": list(sheet["missing"])}
