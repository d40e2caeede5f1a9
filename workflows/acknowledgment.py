"""Example 1: the daily acknowledgment and triage reliability review and its cases."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import acknowledgment_checks, names
    from domain import acknowledgment_steps as ack
    from domain.acknowledgment import AttributionValues, RetentionValues
    from domain.cases import (
        CaseInput,
        CaseRef,
        CaseState,
        StepSubmission,
    )
    from domain.pathway_actions import acknowledgment_plan
    from domain.roles import Role
    from domain.steps import FieldError, StepSpec

from workflows.pathway_review import ReviewedPathwayWorkflow
from workflows.values import Values


@workflow.defn(name=names.WF_ACK_CASE)
class AcknowledgmentCaseWorkflow(ReviewedPathwayWorkflow):
    """One report's example-1 case: attribution, retention impact, recovery pathway, recovery."""

    steps = ack.STEPS
    documents = ack.DOCUMENTS
    pathway_log = ack.ACKNOWLEDGMENT_RECOVERY_LOG
    review_step = ack.RECOVERY_REVIEW
    review_continues = "not_recovered"

    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        super().__init__(inp)

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseState:
        await self.set_stage("opened")
        ref = CaseRef(case_id=inp.case_id, reference=inp.reference, as_of=inp.opened_at)
        attribution = Values(names.ACT_ATTRIBUTION_VALUES, ref, AttributionValues)
        await self.run_step(ack.TRIAGE_ATTRIBUTION, inp.opened_at, attribution)
        t2 = self._done_at(ack.TRIAGE_ATTRIBUTION.slug)
        as_of_t2 = ref.model_copy(update={"as_of": t2})
        retention = Values(names.ACT_RETENTION_VALUES, as_of_t2, RetentionValues)
        impact = await self.run_step(ack.RETENTION_IMPACT, t2, retention)
        if impact["impact_level"] == "low":
            await self.close("no_pathway_required", Role.WORKFORCE_RETENTION_SAFETY_CULTURE_MANAGER)
            return self.state
        t3 = self._done_at(ack.RETENTION_IMPACT.slug)
        sheet = Values(
            names.ACT_AUTHORIZATION_SHEET,
            ref.model_copy(update={"as_of": t3}),
            shape=lambda found: {"authorization_sheet": found},
        )
        pathway = await self.run_step(ack.RECOVERY_PATHWAY, t3, sheet)
        await self.run_pathway(pathway)
        await self.close("recovered", Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE)
        return self.state

    def extra_checks(self, spec: StepSpec, model: Any, sub: StepSubmission) -> list[FieldError]:
        """Pathway: complete authorization sheet, deadlines not past, review after the actions."""
        errors = super().extra_checks(spec, model, sub)
        if spec.slug != ack.RECOVERY_PATHWAY.slug:
            return errors
        computed = self.state.computed.get(spec.slug, {})
        return errors + acknowledgment_checks.pathway_checks(model, computed, self.local_today())

    async def run_pathway(self, pathway: dict[str, Any]) -> None:
        """Owner acceptance, pack visibility, the pathway's own deadlines and its reviews."""
        t4 = self._done_at(ack.RECOVERY_PATHWAY.slug)
        actions = acknowledgment_plan(pathway)
        # The mandatory review date is the owner's obligation from now (opened with the
        # pathway); the case closes on the review's recorded outcome ("recovered" needs every
        # action done), never by a timer.
        day = pathway["mandatory_review_date"]
        watchers = await self.open_pathway(
            pathway["responsible_owner_id"],
            "acknowledgment-recovery pathway",
            t4,
            actions,
            also=self.first_review(day),
        )
        reviews = asyncio.create_task(self.review_until_done(day, opened=True))
        await self.await_activation(names.PACK_WEEKLY, "active-recovery")
        await reviews
        await asyncio.gather(*watchers)
