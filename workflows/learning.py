"""Example 2: one emerging or critical report's learning-visibility case, to validated closure."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import learning_steps as ls
    from domain import names
    from domain.cases import (
        CaseInput,
        CaseRef,
        CaseState,
        DocumentOpened,
        RecordEntryRequest,
        RecordEntryResult,
        StepSubmission,
    )
    from domain.learning import LearningAttributionValues
    from domain.learning_checks import pathway_checks, validation_checks
    from domain.learning_measures import (
        BaselineRequest,
        FollowUpRequest,
        PinnedBaseline,
        ValidationValues,
    )
    from domain.pathway_actions import learning_plan
    from domain.roles import Role
    from domain.steps import MISSING_PREREQUISITE, FieldError, StepSpec

from workflows.calls import compute_deadline, run_db
from workflows.case_base import reject
from workflows.pathway_review import ReviewedPathwayWorkflow
from workflows.values import Values

CLOSE_CATEGORIES = {
    "close": "visible_learning_closure",
    "close_minuted": "closed_with_minuted_escalation",
    "executive_escalation": "executive_escalation",
}


@workflow.defn(name=names.WF_LEARNING_CASE)
class LearningCaseWorkflow(ReviewedPathwayWorkflow):
    """Attribution (2 working days), stabilization pathway (3), activation, 14-day validations."""

    steps = ls.STEPS
    documents = ls.DOCUMENTS
    pathway_log = ls.LEARNING_STABILIZATION_LOG
    review_step = ls.STABILIZATION_REVIEW
    review_continues = "not_stabilized"

    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        super().__init__(inp)
        self._follow_up: FollowUpRequest | None = None

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseState:
        await self.set_stage("opened")
        ref = CaseRef(case_id=inp.case_id, reference=inp.reference, as_of=inp.opened_at)
        found = Values(names.ACT_LEARNING_ATTRIBUTION_VALUES, ref, LearningAttributionValues)
        await self.run_step(ls.LEARNING_ATTRIBUTION, inp.opened_at, found)
        t2 = self._done_at(ls.LEARNING_ATTRIBUTION.slug)
        sheet = Values(
            names.ACT_LEARNING_STANDARDS_SHEET,
            ref.model_copy(update={"as_of": t2}),
            shape=lambda found: {"standards_sheet": found},
        )
        pathway = await self.run_step(ls.STABILIZATION_PATHWAY, t2, sheet)
        t3 = self._done_at(ls.STABILIZATION_PATHWAY.slug)
        # The review date is the owner's obligation from now (opened with the pathway); the
        # validation closes only once the review is recorded (see extra_checks).
        day = pathway["review_date"]
        watchers = await self.open_pathway(
            pathway["responsible_owner_id"],
            "learning-stabilization pathway",
            t3,
            learning_plan(pathway),
            also=self.first_review(day),
        )
        reviews = asyncio.create_task(self.review_until_done(day, opened=True))
        activated = await self.await_activation(names.PACK_FORTNIGHTLY, "active-stabilization")
        baseline = await run_db(
            names.ACT_PIN_LEARNING_BASELINE,
            BaselineRequest(
                case_id=inp.case_id,
                reference=inp.reference,
                review_id=inp.review_id,
                activated_at=activated,
                policy_version=inp.policy_version,
            ),
            PinnedBaseline,
        )
        self.state.computed["activation-baseline"] = {
            "activated_at": activated.isoformat(),
            "policy_version": baseline.measures.rule_version,
            "validation_days": baseline.validation_after_days,
        }
        category = await self._validate_until_decided(activated, baseline.validation_after_days)
        for task in (*watchers, reviews):
            task.cancel()  # an escalated case closes with its actions still on record
        await asyncio.gather(*watchers, reviews, return_exceptions=True)
        # Escalation mails retry only while the workflow runs: deliver them before closing.
        await asyncio.gather(*self.obligations.deliveries)
        await self.close(category, Role.WORKFORCE_GOVERNANCE_REVIEWER)
        return self.state

    async def _validate_until_decided(self, activated: datetime, days: int) -> str:
        """Validation rounds every DAYS calendar days (the pinned rules': 14 by default) until
        close or executive escalation; returns the category."""
        start, round_no = activated, 0
        while True:
            round_no += 1
            opens = await compute_deadline(self.inp.calendar, f"{days} calendar days", start)
            await self.set_stage("awaiting-validation")
            if opens.due_at > workflow.now():
                await workflow.sleep(
                    opens.due_at - workflow.now(), summary=f"validation:{round_no}"
                )
            result = await self._validation_round(round_no, activated, opens.due_at)
            decision = result["decision"]
            if decision == "continue":
                start = self._done_at(ls.STABILIZATION_VALIDATION.slug)
                continue
            gate = self.state.computed[ls.STABILIZATION_VALIDATION.slug]["gate_passed"]
            if decision == "close" and not gate:
                return CLOSE_CATEGORIES["close_minuted"]
            return CLOSE_CATEGORIES[decision]

    async def _validation_round(
        self, round_no: int, activated: datetime, opens: datetime
    ) -> dict[str, Any]:
        """Open one validation: follow-up computed at opening (refreshed when the reviewer opens
        the measures), recorded in the workforce governance record, then the step itself."""
        self._follow_up = FollowUpRequest(
            case_id=self.inp.case_id,
            reference=self.inp.reference,
            review_id=self.inp.review_id,
            activated_at=activated,
            window_end=opens,
        )
        await run_db(
            names.ACT_RECORD_ENTRY,
            RecordEntryRequest(
                register_name=ls.WORKFORCE_GOVERNANCE_RECORD,
                subject=self.inp.case_id,
                kind=ls.VALIDATION_OPENED_KIND,
                actor="system",
                at=workflow.now(),
                payload={
                    "reference": self.inp.reference,
                    "round": round_no,
                    "window_end": opens.isoformat(),
                    "activated_at": activated.isoformat(),
                },
            ),
            RecordEntryResult,
        )
        assert self._follow_up is not None
        values = Values(
            names.ACT_LEARNING_FOLLOW_UP,
            self._follow_up,
            ValidationValues,
            shape=lambda found: found.model_dump(mode="json"),
        )
        return await self.run_step(ls.STABILIZATION_VALIDATION, opens, values)

    async def _compute_follow_up(self) -> dict[str, Any]:
        assert self._follow_up is not None
        values = await run_db(names.ACT_LEARNING_FOLLOW_UP, self._follow_up, ValidationValues)
        return values.model_dump(mode="json")

    async def document_opened(self, opened: DocumentOpened) -> None:
        """Opening the validation measures refreshes them: late form responses and tracker
        updates count (same window, same pinned rules)."""
        await self.refresh_on_opening(
            opened,
            ls.STABILIZATION_VALIDATION,
            ls.VALIDATION_MEASURES_DOC,
            self._compute_follow_up,
            ("gate_passed", "responses_since_activation"),
        )

    # -- cross-checks -------------------------------------------------------------------------

    def extra_checks(self, spec: StepSpec, model: Any, sub: StepSubmission) -> list[FieldError]:
        """Standards support and deadlines (step 3); form, gate and minute (step 4)."""
        errors = super().extra_checks(spec, model, sub)
        computed = self.state.computed.get(spec.slug, {})
        if spec.slug == ls.STABILIZATION_PATHWAY.slug:
            errors += pathway_checks(model, computed, self.local_today())
        elif spec.slug == ls.STABILIZATION_VALIDATION.slug:
            if not computed.get("responses_since_activation"):
                raise reject(
                    MISSING_PREREQUISITE,
                    "no speaking-up confidence form response since activation",
                    [
                        FieldError(
                            field="forms.speaking-up-confidence",
                            message="at least one response since activation is required; "
                            "open validation-measures again to refresh",
                        )
                    ],
                )
            errors += validation_checks(model, computed, self._open_actions())
            if model.decision == "close" and (unreviewed := self.pending_review()):
                errors.append(unreviewed)
        return errors

    def _open_actions(self) -> list[str]:
        return [
            key.split(":", 1)[1]
            for key, ob in self.state.obligations.items()
            if key.startswith("action:") and ob.done_at is None
        ]
