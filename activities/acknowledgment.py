"""Example 1 activities: generate the daily review, open cases, compute step values."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.deps import ActivityDeps
from domain import names
from domain.acknowledgment import EXPOSED, AttributionValues, RetentionValues, instant
from domain.acknowledgment_steps import SAFETY_LEARNING_ASSURANCE_WORKSPACE
from domain.cases import (
    CaseInput,
    CaseRef,
    ExposureRaised,
    GenerateReviewRequest,
    OpenCasesResult,
    ReviewedRequest,
    ReviewSummary,
)
from domain.reviews import REVIEWS
from store import acknowledgment as reviews
from store.acknowledgment_values import attribution_values, retention_values
from store.db import transaction
from store.documents import build_document
from store.registers import append_entry
from store.sources import current_records
from store.tables import Case, RegisterEntry, Review, ReviewItem

START_CONCURRENCY = 20


def _instant(value: str) -> datetime:
    parsed = instant(value)
    assert parsed is not None
    return parsed


def case_search_attributes(inp: CaseInput) -> TypedSearchAttributes:
    """Initial search attributes of a case (no employee or client IDs, by design)."""
    keyword = SearchAttributeKey.for_keyword
    return TypedSearchAttributes(
        [
            SearchAttributePair(keyword(names.SA_EXAMPLE), inp.example),
            SearchAttributePair(keyword(names.SA_STAGE), "opened"),
            SearchAttributePair(keyword(names.SA_EXPOSURE), inp.exposure),
            SearchAttributePair(keyword(names.SA_SERVICE_LINE), inp.service_line),
            SearchAttributePair(keyword(names.SA_REFERENCE), inp.reference),
            SearchAttributePair(keyword(names.SA_CASE_STATUS), "open"),
        ]
    )


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
    exists = await session.scalar(
        select(RegisterEntry.id).where(
            RegisterEntry.register == workspace,
            RegisterEntry.subject == review_id,
            RegisterEntry.kind == kind,
        )
    )
    if exists is None:
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
        """Reconcile, classify and store the review (idempotent: an existing review is kept)."""
        async with transaction(self.deps.sessions) as session:
            result = await reviews.generate_review(
                session,
                request.review_id,
                date.fromisoformat(request.period),
                request.as_of,
                self.deps.ack_policy,
                generated_at=request.as_of,
            )
            await workspace_entry(
                session,
                request.review_id,
                "review_generated",
                "system",
                request.as_of,
                {
                    "counts": result.counts,
                    "exceptions": result.exceptions,
                    "as_of": result.as_of.isoformat(),
                },
            )
        return ReviewSummary(
            review_id=result.review_id,
            as_of=result.as_of,
            counts=result.counts,
            exceptions=result.exceptions,
            exposed=len(result.exposed),
        )

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

    @activity.defn(name=names.ACT_OPEN_ACK_CASES)
    async def open_acknowledgment_cases(self, request: ReviewedRequest) -> OpenCasesResult:
        """Start one case per exposed report, ever; an existing case is told of a rise."""
        client = self._client()
        async with self.deps.sessions() as session:
            items = (
                await session.scalars(
                    select(ReviewItem).where(
                        ReviewItem.review_id == request.review_id,
                        ReviewItem.classification.in_([e.value for e in EXPOSED]),
                    )
                )
            ).all()
            exposed = [
                (i.reference, i.classification or "", str(i.fields.get("service_line")))
                for i in items
            ]
        gate = asyncio.Semaphore(START_CONCURRENCY)
        outcomes = await asyncio.gather(
            *(
                self._open_one(client, gate, request, ref, exposure, line)
                for ref, exposure, line in exposed
            )
        )
        async with transaction(self.deps.sessions) as session:
            await reviews.set_review_case_ids(
                session, request.review_id, {ref: names.ack_case_id(ref) for ref, _, _ in exposed}
            )
        return OpenCasesResult(
            opened=outcomes.count("opened"),
            raised=outcomes.count("raised"),
            existing=outcomes.count("existing"),
        )

    async def _open_one(
        self,
        client: Client,
        gate: asyncio.Semaphore,
        request: ReviewedRequest,
        reference: str,
        exposure: str,
        service_line: str,
    ) -> str:
        inp = CaseInput(
            case_id=names.ack_case_id(reference),
            example=names.EXAMPLE_ACKNOWLEDGMENT,
            reference=reference,
            review_id=request.review_id,
            exposure=exposure,
            service_line=service_line,
            opened_at=request.at,
            calendar=request.calendar,
            policy_version=request.policy_version,
        )
        async with gate:
            activity.heartbeat(reference)
            try:
                await client.start_workflow(
                    names.WF_ACK_CASE,
                    inp,
                    id=inp.case_id,
                    task_queue=self.deps.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    search_attributes=case_search_attributes(inp),
                )
                return "opened"
            except WorkflowAlreadyStartedError:
                handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(inp.case_id)
                return await self._raise_exposure(handle, exposure, request.review_id)

    async def _raise_exposure(
        self, handle: WorkflowHandle[Any, Any], exposure: str, review_id: str
    ) -> str:
        try:
            await handle.signal(
                names.SIGNAL_RAISE_EXPOSURE, ExposureRaised(exposure=exposure, review_id=review_id)
            )
            return "raised"
        except Exception:  # noqa: BLE001 - a closed case keeps its record; nothing to raise
            return "existing"

    def _client(self) -> Client:
        if self.deps.client is None:
            raise ApplicationError("no Temporal client configured", non_retryable=True)
        return self.deps.client

    async def _report(self, reference: str) -> dict[str, Any]:
        async with self.deps.sessions() as session:
            rows = await current_records(session, "incident-platform", [reference])
        if reference not in rows:
            raise ApplicationError(f"report {reference} not found", non_retryable=True)
        return rows[reference]

    @activity.defn(name=names.ACT_ATTRIBUTION_VALUES)
    async def compute_attribution_values(self, ref: CaseRef) -> AttributionValues:
        """Step 2's computed values (indicator count, repeated-pattern flags) as of opening."""
        report = await self._report(ref.reference)
        async with self.deps.sessions() as session:
            return await attribution_values(
                session,
                ref.reference,
                report["employee_id"],
                report["category_code"],
                ref.as_of,
                policy=self.deps.ack_policy,
            )

    @activity.defn(name=names.ACT_RETENTION_VALUES)
    async def compute_retention_values(self, ref: CaseRef) -> RetentionValues:
        """Step 3's reconciled values (180-day counts, open concern, prior 90-day risk)."""
        report = await self._report(ref.reference)
        async with self.deps.sessions() as session:
            return await retention_values(
                session,
                ref.reference,
                report["employee_id"],
                _instant(report["submitted_at"]),
                report["risk_domain"],
                ref.as_of,
                policy=self.deps.ack_policy,
            )

    @activity.defn(name=names.ACT_AUTHORIZATION_SHEET)
    async def check_authorization_sheet(self, ref: CaseRef) -> dict[str, Any]:
        """Whether the reporting-control authorization sheet is complete (and what is missing)."""
        async with self.deps.sessions() as session:
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
