"""Example 3 activities: generate the monthly review, open cases, compute step values."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from activities.acknowledgment import generation_instant, record_generation
from activities.case_starter import open_review_cases, review_case_input
from activities.deps import ActivityDeps
from domain import names, notices
from domain.calendar import CalendarConfig
from domain.cases import CaseInput
from domain.credibility import (
    LATE_DISPUTE,
    NOT_CREDIBLE,
    REPAIR_LOG,
    WORKSPACE,
    AdjudicationValues,
    CredibilityPolicy,
    CredibilityStepRequest,
    credibility_case_id,
)
from domain.credibility_measures import PinnedBaseline, ValidationValues
from domain.periodic import GenerateReviewRequest, OpenCasesResult, ReviewedRequest, ReviewSummary
from store import credibility as credibility_store
from store import credibility_values as values
from store import outbox
from store.cases import seed_case
from store.db import transaction
from store.policies import current_policy
from store.register_reads import entries
from store.registers import append_entry
from store.review_build import build_review
from store.review_items import items_classified
from store.tables import Case, Review, ReviewItem


async def _case_id(session: AsyncSession, item: ReviewItem) -> str:
    """The case a review item opens: the closed case's first, or for a late dispute of a closed
    case whose earlier case has ended, a later one named after this review's month (a late
    dispute is only taken while no case of it is open: ``store.credibility_late``)."""
    first = credibility_case_id(item.reference)
    if not item.fields.get(LATE_DISPUTE):
        return first
    earlier = await session.get(Case, first)
    if earlier is None or earlier.review_id == item.review_id:
        return first
    review = await session.get(Review, item.review_id)
    return credibility_case_id(item.reference, review.period if review else item.review_id)


class CredibilityActivities:
    """Activities of the monthly closure-credibility review and its cases."""

    def __init__(self, deps: ActivityDeps, policy: CredibilityPolicy | None = None) -> None:
        self.deps = deps
        self.policy = policy or CredibilityPolicy()

    @activity.defn(name=names.ACT_GENERATE_CREDIBILITY_REVIEW)
    async def generate_closure_review(self, request: GenerateReviewRequest) -> ReviewSummary:
        """Classify and store the month's closures with the provider's current rules (pinned in
        the review); idempotent: an existing review is kept."""
        zone = (request.calendar or CalendarConfig()).timezone
        async with self.deps.sessions() as session:
            policy = await current_policy(session, CredibilityPolicy)
            build = await credibility_store.closure_review_build(
                session,
                request.review_id,
                request.period,
                request.as_of,
                zone,
                policy,
                generation_instant(),
            )

        async def record(session: AsyncSession, review: Review) -> None:
            await record_generation(
                session,
                review.review_id,
                WORKSPACE,
                review.generated_at,
                {
                    "counts": dict(review.summary["counts"]),
                    "exceptions": review.summary["exceptions"],
                    "as_of": review.as_of.isoformat(),
                    "generated_at": review.generated_at.isoformat(),
                    "month": review.period,
                },
            )

        review = await build_review(self.deps.sessions, build, self.deps.review_parts, record)
        counts = dict(review.summary["counts"])
        return ReviewSummary(
            review_id=review.review_id,
            as_of=review.as_of,
            generated_at=review.generated_at,
            counts=counts,
            exceptions=int(review.summary["exceptions"]),
            exposed=sum(counts.get(c.value, 0) for c in NOT_CREDIBLE),
        )

    @activity.defn(name=names.ACT_OPEN_CREDIBILITY_CASES)
    async def open_closure_cases(self, request: ReviewedRequest) -> OpenCasesResult:
        """Start one case per doubtful or failed closure, ever (business-key workflow IDs)."""

        async def cases(session: AsyncSession) -> list[tuple[str, CaseInput]]:
            exposed = [c.value for c in NOT_CREDIBLE]
            items = await items_classified(session, request.review_id, exposed)
            policy = await values.review_policy(session, request.review_id) or self.policy
            pairs = []
            for item in items:
                inp = review_case_input(
                    request,
                    item,
                    case_id=await _case_id(session, item),
                    example=names.EXAMPLE_CREDIBILITY,
                    policy_version=policy.version,
                    reference=str(item.fields["reference"]),
                )
                await seed_case(session, inp, str(item.fields["employee_id"]))
                pairs.append((item.reference, inp))
            return pairs

        return await open_review_cases(
            self.deps, request, names.WF_CREDIBILITY_CASE, cases, raise_exposure=False
        )

    async def _employee(self, case_id: str) -> str:
        async with self.deps.reading() as session:
            case = await session.get(Case, case_id)
        return case.employee_id if case else ""

    @activity.defn(name=names.ACT_ADJUDICATION_VALUES)
    async def compute_adjudication_values(
        self, request: CredibilityStepRequest
    ) -> AdjudicationValues:
        """Step 2's computed values with the review's rules (their version is recorded)."""
        async with self.deps.reading() as session:
            policy = await values.review_policy(session, request.review_id) or self.policy
            return await values.adjudication_values(
                session, request.review_id, request.case_ref, request.zone, policy
            )

    @activity.defn(name=names.ACT_REPAIR_PREREQUISITES)
    async def check_repair_prerequisites(self, request: CredibilityStepRequest) -> dict[str, Any]:
        """Step 3's prerequisite: the adjudication note is saved in the credibility register."""
        async with self.deps.reading() as session:
            return await values.adjudication_note(session, request.case_id)

    @activity.defn(name=names.ACT_CREDIBILITY_BASELINE)
    async def compute_closure_baseline(self, request: CredibilityStepRequest) -> PinnedBaseline:
        """The worker's speaking-up score before activation, pinned in the repair log with the
        activation instant, the adjudication's rule version and that version's validation timer
        (days to the validation, days before it the worker is asked again); retry-safe: pinned
        once."""
        assert request.activated_at is not None
        employee = await self._employee(request.case_id)
        async with transaction(self.deps.sessions) as session:
            for entry in await entries(session, REPAIR_LOG, subject=request.case_id):
                if entry.kind == values.BASELINE_KIND:
                    return PinnedBaseline.model_validate(entry.payload)
            rules = await values.rules(session, request.rule_version, request.review_id)
            score, score_at = await values.baseline(session, employee, request.activated_at)
            pinned = PinnedBaseline(
                baseline_score=score,
                baseline_at=score_at,
                activated_at=request.activated_at,
                rule_version=request.rule_version,
                # The validation timer's days, from the same pinned rules (not the code default).
                validation_days=rules.validation_days,
                reconfirm_days_before=rules.reconfirm_days_before,
                reference=request.reference,
            )
            await append_entry(
                session,
                REPAIR_LOG,
                actor="system",
                recorded_at=request.activated_at,
                subject=request.case_id,
                kind=values.BASELINE_KIND,
                payload=pinned.model_dump(mode="json"),
            )
            return pinned

    @activity.defn(name=names.ACT_VALIDATION_VALUES)
    async def compute_validation_values(self, request: CredibilityStepRequest) -> ValidationValues:
        """Step 4's measures with the adjudication's rule version, and the evidence attached."""
        assert request.activated_at is not None
        employee = await self._employee(request.case_id)
        async with self.deps.reading() as session:
            policy = await values.rules(session, request.rule_version, request.review_id)
            return await values.validation_values(
                session,
                request.review_id,
                request.case_ref,
                employee,
                request.activated_at,
                request.at,
                policy,
            )

    @activity.defn(name=names.ACT_REQUEST_RECONFIRMATION)
    async def request_reconfirmation(self, request: CredibilityStepRequest) -> list[int]:
        """Ask the worker again, once per validation cycle, whether the issue is resolved now."""
        async with transaction(self.deps.sessions) as session:
            case = await session.get(Case, request.case_id)
            return await outbox.ask_worker(
                session,
                case.employee_id if case else "",
                notices.confirmation_link(self.deps.mail.public_url, request.case_ref),
                dedupe_key=f"reconfirmation:{request.case_id}:{request.cycle}",
                subject=notices.reconfirmation_subject(request.reference),
                body=lambda name, link: notices.reconfirmation_body(request.reference, name, link),
                at=request.at,
            )
