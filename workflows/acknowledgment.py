"""Example 1: the daily acknowledgment and triage reliability review and its cases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import acknowledgment_steps as ack
    from domain import names
    from domain.acknowledgment import AttributionValues, RetentionValues
    from domain.cases import (
        CaseInput,
        CaseRef,
        CaseState,
        CloseRequest,
        StepSubmission,
        TimelineEvent,
    )
    from domain.roles import Role
    from domain.steps import FieldError, StepSpec

from workflows.case_base import CaseWorkflowBase
from workflows.engine import compute_deadline, deliver, run_db

DOCUMENTS = frozenset({
    "daily-review", "report-chronology", "triage-note-history", "risk-classification-source",
    "reporting-control-authorization-sheet",
})


def noon_utc(day: date) -> datetime:
    """An instant inside DAY in any European zone: 'close of business' from it is that day's."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def as_date(value: str) -> date:
    return date.fromisoformat(value[:10])


@workflow.defn(name=names.WF_ACK_CASE)
class AcknowledgmentCaseWorkflow(CaseWorkflowBase):
    """One report's example-1 case: attribution, retention impact, recovery pathway, recovery."""

    steps = ack.STEPS
    documents = DOCUMENTS
    pathway_log = ack.ACKNOWLEDGMENT_RECOVERY_LOG

    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        super().__init__(inp)

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseState:
        await self.set_stage("opened")
        ref = CaseRef(case_id=inp.case_id, reference=inp.reference, as_of=inp.opened_at)
        attribution = await run_db(names.ACT_ATTRIBUTION_VALUES, ref, AttributionValues)
        assert isinstance(attribution, AttributionValues)
        await self.run_step(ack.TRIAGE_ATTRIBUTION, inp.opened_at, attribution.model_dump())
        t2 = self._done_at(ack.TRIAGE_ATTRIBUTION.slug)
        retention = await run_db(names.ACT_RETENTION_VALUES, ref.model_copy(update={"as_of": t2}),
                                 RetentionValues)
        assert isinstance(retention, RetentionValues)
        impact = await self.run_step(ack.RETENTION_IMPACT, t2, retention.model_dump())
        if impact["impact_level"] == "low":
            await self.close("no_pathway_required", Role.WORKFORCE_RETENTION_SAFETY_CULTURE_MANAGER)
            return self.state
        t3 = self._done_at(ack.RETENTION_IMPACT.slug)
        sheet = await run_db(names.ACT_AUTHORIZATION_SHEET, ref.model_copy(update={"as_of": t3}), dict)
        assert isinstance(sheet, dict)
        pathway = await self.run_step(ack.RECOVERY_PATHWAY, t3, {"authorization_sheet": sheet})
        await self.run_pathway(pathway)
        await self.close("recovered", Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE)
        return self.state

    def _done_at(self, key: str) -> datetime:
        done = self.state.obligations[key].done_at
        assert done is not None
        return done

    def extra_checks(self, spec: StepSpec, model: Any, sub: StepSubmission) -> list[FieldError]:
        """Pathway: complete authorization sheet, deadlines not past, review after the actions."""
        errors = super().extra_checks(spec, model, sub)
        if spec.slug != ack.RECOVERY_PATHWAY.slug:
            return errors
        sheet = self.state.computed.get(spec.slug, {}).get("authorization_sheet", {})
        if not sheet.get("complete", False):
            errors.append(FieldError(
                field="documents.reporting-control-authorization-sheet",
                message=f"the authorization sheet is incomplete: missing {sheet.get('missing')}",
            ))
        today = workflow.now().date()
        for name in ("triage_control_implementation_deadline", "worker_communication_deadline"):
            value = getattr(model, name)
            day = value.date() if isinstance(value, datetime) else value
            if day < today:
                errors.append(FieldError(field=name, message="must not be in the past"))
            elif model.mandatory_review_date < day:
                errors.append(FieldError(field="mandatory_review_date",
                                         message=f"must not be before {name}"))
        return errors

    async def run_pathway(self, pathway: dict[str, Any]) -> None:
        """Owner acceptance, pack visibility, the pathway's own deadlines, then the review date."""
        t4 = self._done_at(ack.RECOVERY_PATHWAY.slug)
        self.state.pathway_owner = pathway["responsible_owner_id"]
        await self.obligations.open("pathway-acceptance", "Accept the acknowledgment-recovery pathway",
                                    rule="1 working day", start=t4, assignee=self.state.pathway_owner)
        actions = await self._open_actions(pathway, t4)
        await self.set_stage("pathway-acceptance")
        watchers = [asyncio.create_task(self.obligations.watch(k)) for k in actions]
        await self.obligations.watch("pathway-acceptance")
        if not self._visible():
            await self.set_stage("awaiting-visibility")
            await workflow.wait_condition(self._visible)
        await self.set_stage("active-recovery")
        review = await compute_deadline(self.inp.calendar, "close of business",
                                        noon_utc(date.fromisoformat(pathway["mandatory_review_date"])))
        await asyncio.gather(*watchers)
        if workflow.now() < review.due_at:
            await workflow.sleep(review.due_at - workflow.now(), summary="mandatory review date")

    def _visible(self) -> bool:
        return any(p.startswith(names.PACK_WEEKLY + "/") for p in self.state.visible_in)

    async def _open_actions(self, pathway: dict[str, Any], t4: datetime) -> list[str]:
        """Open one obligation per pathway deadline; a bare date means close of business."""
        owner = self.state.pathway_owner
        plan = [
            ("triage-control-implementation", "Corrected triage-control implementation",
             pathway["triage_control_implementation_deadline"]),
            ("worker-communication", "Worker communication", pathway["worker_communication_deadline"]),
        ]
        if pathway["same_day_unsafe_condition_escalation"]:
            plan.append(("unsafe-condition-correction", "Same-day correction of the unsafe condition",
                         None))
        if pathway["immediate_senior_acknowledgment"]:
            plan.append(("senior-acknowledgment", "Immediate senior acknowledgment to the worker",
                         None))
        keys = []
        for action, title, when in plan:
            key = f"action:{action}"
            if when is None:
                await self.obligations.open(key, title, rule="close of business", start=t4,
                                            assignee=owner)
            elif len(when) <= 10:
                await self.obligations.open(key, title, rule="close of business",
                                            start=noon_utc(as_date(when)), assignee=owner)
            else:
                await self.obligations.open_at(key, title, deadline=datetime.fromisoformat(when),
                                               rule="explicit", version="explicit", assignee=owner)
            keys.append(key)
        return keys

    async def close(self, category: str, final_role: Role) -> None:
        """Close the case, record closure, and ask the worker to confirm (employee confirmation)."""
        now = workflow.now()
        self.state.status = "closed"
        self.state.closure = {"category": category, "final_reviewing_role": final_role.value,
                              "closed_at": now.isoformat()}
        message_ids = await run_db(names.ACT_CLOSE_CASE, CloseRequest(
            case_id=self.state.case_id, reference=self.state.reference, example=self.state.example,
            category=category, final_reviewing_role=final_role.value, at=now,
            register_name=self.pathway_log,
        ), list[int])
        await self.set_stage("closed")
        await self.project(TimelineEvent(at=now, kind="closed", actor="system",
                                         detail=self.state.closure))
        delivery = deliver(message_ids if isinstance(message_ids, list) else [])
        if delivery is not None:
            await delivery  # the confirmation request must reach the worker before we finish
