"""Example 2 activities: generate the fortnightly audit, open cases, compute step values."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.acknowledgment import generation_instant, record_generation
from activities.case_starter import open_review_cases, review_case_input
from activities.deps import ActivityDeps
from domain import learning_steps as steps
from domain import names
from domain.calendar import CalendarConfig, calendar_for
from domain.cases import CaseInput, CaseRef
from domain.learning import LearningAttributionValues, LearningPolicy
from domain.learning_cycles import cycle_window
from domain.learning_measures import (
    BaselineRequest,
    FollowUpRequest,
    PinnedBaseline,
    ValidationValues,
    unsupported_indicators,
)
from domain.periodic import GenerateReviewRequest, OpenCasesResult, ReviewedRequest, ReviewSummary
from store import learning as audits
from store import learning_values as values
from store.db import transaction
from store.learning_documents import learning_control_standards_sheet
from store.policies import current_policy
from store.review_build import build_review
from store.tables import Case, Review


class LearningActivities:
    """Activities of the fortnightly learning-visibility and recurrence audit and its cases."""

    def __init__(self, deps: ActivityDeps, policy: LearningPolicy | None = None) -> None:
        self.deps = deps
        self.policy = policy or LearningPolicy()

    @activity.defn(name=names.ACT_GENERATE_LEARNING_AUDIT)
    async def generate_learning_audit(self, request: GenerateReviewRequest) -> ReviewSummary:
        """Reconcile, classify and store the cycle's audit (idempotent: an existing one is kept)."""
        start = date.fromisoformat(request.period)
        calendar = calendar_for(request.calendar or CalendarConfig())
        async with self.deps.sessions() as session:
            policy = await current_policy(session, LearningPolicy)
        window = cycle_window(calendar, start, policy)
        build = audits.audit_build(
            request.review_id, start, window, request.as_of, policy, generation_instant()
        )

        async def record(session: AsyncSession, review: Review) -> None:
            await record_generation(
                session,
                review.review_id,
                steps.LEARNING_VISIBILITY_WORKSPACE,
                review.generated_at,
                {
                    "counts": review.summary["counts"],
                    "exceptions": review.summary["exceptions"],
                    "as_of": review.as_of.isoformat(),
                    "generated_at": review.generated_at.isoformat(),
                    "window": [w.isoformat() for w in window],
                },
                "audit_generated",
            )

        review = await build_review(self.deps.sessions, build, self.deps.review_parts, record)
        async with self.deps.sessions() as session:
            result = await audits.stored_audit(session, review)
        return ReviewSummary(
            review_id=result.review_id,
            as_of=result.as_of,
            generated_at=result.generated_at,
            counts=result.counts,
            exceptions=result.exceptions,
            exposed=len(result.exposed),
        )

    @activity.defn(name=names.ACT_OPEN_LEARNING_CASES)
    async def open_learning_cases(self, request: ReviewedRequest) -> OpenCasesResult:
        """Start one case per emerging or critical report (business-key IDs: never twice)."""

        async def cases(session: AsyncSession) -> list[tuple[str, CaseInput]]:
            review = await session.get(Review, request.review_id)
            policy = (review.summary.get("policy") or {}).get("version") if review else None
            return [
                (
                    item.reference,
                    review_case_input(
                        request,
                        item,
                        case_id=steps.learning_case_id(item.reference),
                        example=names.EXAMPLE_LEARNING,
                        # Cases pin the rules that classified them (the audit's).
                        policy_version=policy or self.policy.version,
                    ),
                )
                for item in await audits.exposed_items(session, request.review_id)
            ]

        return await open_review_cases(
            self.deps, request, names.WF_LEARNING_CASE, cases, raise_exposure=True
        )

    @activity.defn(name=names.ACT_LEARNING_ATTRIBUTION_VALUES)
    async def compute_learning_attribution_values(self, ref: CaseRef) -> LearningAttributionValues:
        """Step 2's computed values (indicator count, repeated-pattern flags) as of opening."""
        async with self.deps.reading() as session:
            case = await session.get(Case, ref.case_id)
            review_id = case.review_id if case else ""
            try:
                return await values.attribution_values(
                    session, review_id, ref.reference, ref.as_of, self.policy
                )
            except values.CaseNotAudited as exc:
                raise ApplicationError(str(exc), non_retryable=True) from exc

    @activity.defn(name=names.ACT_LEARNING_STANDARDS_SHEET)
    async def check_learning_control_standards_sheet(self, ref: CaseRef) -> dict[str, Any]:
        """The learning-control standards sheet: complete (note saved) and the case's indicators."""
        async with self.deps.reading() as session:
            case = await session.get(Case, ref.case_id)
            ctx = _Ctx(ref.reference, case.review_id if case else "", ref.case_id)
            sheet = await learning_control_standards_sheet(session, ctx)
        return {
            "complete": bool(sheet["complete"]),
            "missing": list(sheet["missing"]),
            "case_indicators": list(sheet["case_indicators"]),
            "unsupported_if_nothing_chosen": unsupported_indicators(sheet["case_indicators"], {}),
        }

    @activity.defn(name=names.ACT_PIN_LEARNING_BASELINE)
    async def pin_learning_baseline(self, request: BaselineRequest) -> PinnedBaseline:
        """Take the baseline at activation and pin it with its rules (retry-safe: kept once)."""
        async with transaction(self.deps.sessions) as session:
            # The audit's rules, so baseline and follow-up measure with what classified the case.
            policy = await values.audit_policy(session, request.review_id) or self.policy
            return await values.pin_baseline(
                session,
                request.case_id,
                request.review_id,
                request.reference,
                request.activated_at,
                policy,
            )

    @activity.defn(name=names.ACT_LEARNING_FOLLOW_UP)
    async def compute_learning_follow_up(self, request: FollowUpRequest) -> ValidationValues:
        """Follow-up measures with the pinned rules, confidence responses and the close gate."""
        async with self.deps.reading() as session:
            result = await values.follow_up(session, request.case_id, request.window_end)
        if result is None:
            raise ApplicationError(f"{request.case_id} has no pinned baseline", non_retryable=True)
        return result


class _Ctx:
    """The three names a document builder reads."""

    def __init__(self, reference: str, review_id: str, case_id: str) -> None:
        self.reference = reference
        self.review_id = review_id
        self.case_id = case_id
