"""Example 3: one doubtful or failed closure's case: adjudication, repair pathway, validation."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import credibility_checks, names
    from domain import credibility_steps as cs
    from domain.calendar import local_days_before
    from domain.cases import CaseInput, CaseState, DocumentOpened, StepSubmission, TimelineEvent
    from domain.credibility import (
        REPAIR_LOG,
        AdjudicationValues,
        Credibility,
        CredibilityStepRequest,
        case_ref_of,
    )
    from domain.credibility_measures import (
        PinnedBaseline,
        ValidationValues,
        measurable_improvement,
    )
    from domain.pathway_actions import credibility_plan
    from domain.roles import Role
    from domain.steps import MISSING_PREREQUISITE, FieldError, StepSpec

from workflows.calls import compute_deadline, deliver, run_db
from workflows.case_base import reject
from workflows.pathway import PathwayCaseWorkflow
from workflows.search_attributes import KEY_EXPOSURE
from workflows.values import Values


@workflow.defn(name=names.WF_CREDIBILITY_CASE)
class CredibilityCaseWorkflow(PathwayCaseWorkflow):
    """A closed case whose credibility is doubtful or failed, until its repair is validated."""

    steps = cs.STEPS
    documents = cs.DOCUMENTS
    pathway_log = REPAIR_LOG

    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        super().__init__(inp)
        # The adjudication's rule version, applied again at every validation (the seed: "the
        # same closure-credibility rules are used before and after repair").
        self._rule_version = inp.policy_version
        self._activated: datetime | None = None
        self._baseline: PinnedBaseline | None = None

    def _request(self, at: datetime, **extra: Any) -> CredibilityStepRequest:
        return CredibilityStepRequest(
            case_id=self.inp.case_id,
            case_ref=case_ref_of(self.inp.case_id),
            reference=self.inp.reference,
            review_id=self.inp.review_id,
            at=at,
            zone=self.inp.calendar.timezone,
            rule_version=self._rule_version,
            **extra,
        )

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseState:
        await self.set_stage("opened")
        computed = Values(
            names.ACT_ADJUDICATION_VALUES,
            self._request(inp.opened_at),
            AdjudicationValues,
            shape=self._pin_rule_version,
        )
        adjudication = await self.run_step(cs.CREDIBILITY_ADJUDICATION, inp.opened_at, computed)
        status = adjudication["confirmed_status"]
        await self._confirm_exposure(status)
        if status == Credibility.CREDIBLE:
            await self.close("credible_on_adjudication", Role.REPORTING_QUALITY_ASSURANCE_LEAD)
            return self.state
        t2 = self._done_at(cs.CREDIBILITY_ADJUDICATION.slug)
        note = Values(names.ACT_REPAIR_PREREQUISITES, self._request(t2))
        pathway = await self.run_step(cs.REPAIR_PATHWAY, t2, note)
        watchers = await self.open_pathway(
            pathway["accountable_owner_id"],
            "closure-repair pathway",
            self._done_at(cs.REPAIR_PATHWAY.slug),
            credibility_plan(pathway),
        )
        # A failed-credibility case is active only once a published monthly board pack lists it.
        pack = names.PACK_MONTHLY if status == Credibility.FAILED else None
        activated = await self.await_activation(pack, "active-repair")
        category = await self._validate_until_closed(activated)
        await asyncio.gather(*watchers)
        await self.close(category, Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER)
        return self.state

    async def _confirm_exposure(self, status: str) -> None:
        if status == self.state.exposure:
            return
        self.state.exposure = status
        workflow.upsert_search_attributes([KEY_EXPOSURE.value_set(status)])
        await self.project(
            TimelineEvent(
                at=workflow.now(),
                kind="exposure_confirmed",
                actor="system",
                detail={"exposure": status},
            )
        )

    async def _validate_until_closed(self, activated: datetime) -> str:
        """Validation cycles (21 days by default, as pinned) until the board reviewer closes;
        returns the category."""
        baseline = await run_db(
            names.ACT_CREDIBILITY_BASELINE,
            self._request(activated, activated_at=activated),
            PinnedBaseline,
        )
        self._activated, self._baseline = activated, baseline
        self.state.computed["activation-baseline"] = {
            **baseline.model_dump(mode="json"),
            "activated_at": activated.isoformat(),
            "policy_version": self._rule_version,
        }
        start, cycle = activated, 0
        while True:
            cycle += 1
            opens = await self._await_validation(start, activated, cycle)
            assert self._activated is not None
            measures = Values(
                names.ACT_VALIDATION_VALUES,
                self._request(opens, activated_at=self._activated),
                ValidationValues,
                shape=self._against_baseline,
            )
            result = await self.run_step(cs.REPAIR_VALIDATION, opens, measures)
            if result["decision"] == "close":
                improved = self.state.computed[cs.REPAIR_VALIDATION.slug]["measurable_improvement"]
                return "repaired" if improved else "closed_with_escalation"
            start = self._done_at(cs.REPAIR_VALIDATION.slug)

    async def _measures(self, at: datetime) -> dict[str, Any]:
        """Step 4's measures at AT with the adjudication's rules, against the pinned baseline."""
        assert self._activated is not None
        found = await run_db(
            names.ACT_VALIDATION_VALUES,
            self._request(at, activated_at=self._activated),
            ValidationValues,
        )
        return self._against_baseline(found)

    def _pin_rule_version(self, found: AdjudicationValues) -> dict[str, Any]:
        """The adjudication's values; the rule version they were computed with is kept."""
        self._rule_version = found.rule_version or self.inp.policy_version
        return found.model_dump(mode="json")

    def _against_baseline(self, found: ValidationValues) -> dict[str, Any]:
        """A cycle's measures against the baseline pinned at activation (every cycle's)."""
        assert self._baseline is not None
        values = found.model_dump(mode="json")
        values["baseline_score"] = self._baseline.baseline_score
        values["measurable_improvement"] = measurable_improvement(
            found.confirmation,
            found.reopened_since_activation,
            self._baseline.baseline_score,
            found.revised_score,
        )
        values["adjudication_rule_version"] = self._rule_version
        return values

    async def document_opened(self, opened: DocumentOpened) -> None:
        """Opening the repair-validation measures refreshes them: answers that arrived after the
        step opened count (same activation line, same rules)."""
        await self.refresh_on_opening(
            opened,
            cs.REPAIR_VALIDATION,
            cs.VALIDATION_MEASURES_DOC,
            lambda: self._measures(workflow.now()),
            ("missing_since_activation", "measurable_improvement"),
        )

    async def _await_validation(self, start: datetime, activated: datetime, cycle: int) -> datetime:
        """Sleep until the validation opens (the pinned rules' days after START: 21 by default),
        asking the worker again the pinned number of days before (7 by default)."""
        assert self._baseline is not None
        days = self._baseline.validation_days
        opens = await compute_deadline(self.inp.calendar, f"{days} calendar days", start)
        await self.set_stage("awaiting-validation")
        ask_at = local_days_before(
            opens.due_at, self._baseline.reconfirm_days_before, self.inp.calendar.timezone
        )
        if ask_at > workflow.now():
            await workflow.sleep(ask_at - workflow.now(), summary=f"reconfirmation:{cycle}")
        ids = await run_db(
            names.ACT_REQUEST_RECONFIRMATION,
            self._request(workflow.now(), activated_at=activated, cycle=cycle),
            list[int],
        )
        delivery = deliver(ids)
        if delivery is not None:
            self.obligations.deliveries.append(delivery)  # never blocks the validation timer
        if opens.due_at > workflow.now():
            await workflow.sleep(opens.due_at - workflow.now(), summary=f"validation:{cycle}")
        return opens.due_at

    # -- cross-checks -------------------------------------------------------------------------

    def extra_checks(self, spec: StepSpec, model: Any, sub: StepSubmission) -> list[FieldError]:
        """Same rules as the review, complete prerequisites, deadlines, the close gate."""
        errors = super().extra_checks(spec, model, sub)
        computed = self.state.computed.get(spec.slug, {})
        if spec.slug == cs.CREDIBILITY_ADJUDICATION.slug:
            errors += credibility_checks.adjudication_checks(model, computed)
        elif spec.slug == cs.REPAIR_PATHWAY.slug:
            errors += credibility_checks.pathway_checks(model, computed, self.local_today())
        elif spec.slug == cs.REPAIR_VALIDATION.slug:
            _require_updated_answers(computed)
            self._require_actions_done()
            errors += credibility_checks.validation_checks(model, computed, self._minuted())
        return errors

    def _require_actions_done(self) -> None:
        open_actions = [
            key.split(":", 1)[1]
            for key, ob in self.state.obligations.items()
            if key.startswith("action:") and ob.done_at is None
        ]
        if open_actions:
            errors = [FieldError(field=f"actions.{a}", message="not done") for a in open_actions]
            raise reject(MISSING_PREREQUISITE, "repair actions are not all complete", errors)

    def _minuted(self) -> bool:
        """Whether a formal escalation was minuted at an earlier validation of this case."""
        return any(
            key.startswith(f"{cs.REPAIR_VALIDATION.slug}#") and result.get("escalation_minute")
            for key, result in self.state.results.items()
        )


def _require_updated_answers(computed: dict[str, Any]) -> None:
    """409 while a confirmation or a confidence answer since activation is missing (the step
    stays open: its deadline keeps running and escalates)."""
    missing = list(computed.get("missing_since_activation", []))
    if missing:
        since = computed.get("activated_at")
        errors = [
            FieldError(
                field=f"forms.{form}",
                message=f"no answer received since activation ({since}); "
                f"open {cs.VALIDATION_MEASURES_DOC} again to refresh",
            )
            for form in missing
        ]
        raise reject(MISSING_PREREQUISITE, "updated employee answers are missing", errors)
