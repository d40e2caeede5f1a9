"""Update handlers shared by every case workflow (all examples); the case's state, projection,
signals and queries are in ``workflows.case_projection``.

Validators are synchronous and read-only: they judge only workflow state (the actor's roles, the
documents opened, the values computed when the step opened). A rejection raises a typed
ApplicationError and changes nothing; the API maps the type to a status code.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.cases import (
        DocumentOpened,
        RecordEntryRequest,
        RecordStepRequest,
        RecordStepResult,
        StepReceipt,
        StepSubmission,
        TimelineEvent,
    )
    from domain.step_opening import OpenStepRequest
    from domain.steps import (
        INVALID_FIELDS,
        MISSING_PREREQUISITE,
        WRONG_ROLE,
        WRONG_STAGE,
        FieldError,
        StepSpec,
        computed_mismatches,
        evidence_errors,
        field_errors,
    )

from workflows.calls import deliver, run_db, run_db_local
from workflows.case_projection import CaseProjection
from workflows.values import Values, alert_failing, open_with_values, values_retried


def _update_id() -> str | None:
    """The running Update's ID (None outside an Update handler)."""
    info = workflow.current_update_info()
    return info.id if info is not None else None


def reject(kind: str, message: str, errors: list[FieldError] | None = None) -> ApplicationError:
    """A typed, non-retryable rejection carrying field-level reasons."""
    details = [[e.model_dump() for e in errors or []]]
    return ApplicationError(message, *details, type=kind, non_retryable=True)


class CaseWorkflowBase(CaseProjection):
    """The steps and documents every case shares; subclasses define ``run``."""

    steps: dict[str, StepSpec] = {}
    documents: frozenset[str] = frozenset()

    async def run_step(
        self, spec: StepSpec, start: Any, computed: dict[str, Any] | Values
    ) -> dict[str, Any]:
        """Open a human step, wait (escalating) until an accepted submission, return its fields.

        The step opens with its deadline at once; VALUES computed by an activity arrive beside
        it (see ``workflows.values``), and a submission before them is refused (409).

        A step run again (a validation cycle) first archives the previous run as ``slug#N``.
        """
        if spec.slug in self.state.results:
            self._archive_step(spec.slug)
        if isinstance(computed, Values):  # fetched beside the running deadline
            self.state.computed.pop(spec.slug, None)
        else:
            self.state.computed[spec.slug] = computed
        # The obligation exists before the stage opens, so a submission never finds it missing;
        # both reach the projection in the stage's write (its mail goes with that write when
        # the step has values to fetch).
        self._deferring = True
        self.obligations.held = [] if isinstance(computed, Values) else None
        try:
            await self.obligations.open(
                spec.slug, spec.title, rule=spec.deadline_rule, start=start, role=spec.role
            )
        finally:
            self._deferring = False
            notices, self.obligations.held = self.obligations.held or [], None
        fetching = None
        if isinstance(computed, Values):
            # The stage's write takes its turn now (see ``project``) and goes with the values.
            await self._projecting.acquire()
            projection = self.projection_update(self.enter_stage(spec.slug, spec))
            request = OpenStepRequest(
                projection=projection,
                notices=notices,
                values_activity=computed.activity,
                values_arg=computed.arg,
            )
            fetching = asyncio.create_task(self._open_step(spec, computed, request))
        else:
            await self.set_stage(spec.slug, spec)
        await self.obligations.watch(spec.slug)
        if fetching is not None:
            await fetching
        return self.state.results[spec.slug]

    async def _open_step(self, spec: StepSpec, values: Values, request: OpenStepRequest) -> None:
        """Write the stage (holding the projections' turn), mail its owers, fetch its values; a
        submission waits for them (409), the deadline not. If the opening keeps failing, the
        stage and mails go on their own, the administrators are told the cause, and the values
        are retried alone."""
        try:
            opened = await open_with_values(request)
            if isinstance(opened, str):
                await run_db(names.ACT_PROJECT_CASE, request.projection)
                for notice in request.notices:
                    self.obligations.announce(notice)
        finally:
            self._projecting.release()
        if isinstance(opened, str):
            await self._alert_values(spec, opened)
            self.state.computed[spec.slug] = await values_retried(values)
            return
        delivery = deliver(opened.undelivered)
        if delivery is not None:
            self.obligations.deliveries.append(delivery)
        self.state.computed[spec.slug] = values.decoded(opened.values)

    async def _alert_values(self, spec: StepSpec, cause: str) -> None:
        """Tell the administrators a step's values keep failing, and why."""
        result = await alert_failing(self.state.case_id, spec, cause)
        delivery = deliver(result.message_ids)
        if delivery is not None:
            self.obligations.deliveries.append(delivery)
        await self.project(
            TimelineEvent(
                at=workflow.now(),
                kind="values_failing",
                actor="system",
                detail={"step": spec.slug, "cause": cause, "notified": result.notified},
            )
        )

    def _archive_step(self, slug: str) -> None:
        n = 1 + sum(1 for key in self.state.results if key.startswith(f"{slug}#"))
        archived = f"{slug}#{n}"
        self.state.results[archived] = self.state.results.pop(slug)
        self.state.obligations[archived] = self.state.obligations.pop(slug)
        self.state.computed[archived] = self.state.computed.pop(slug, {})
        self._submitting.discard(slug)

    # -- step submission --------------------------------------------------------------------

    def _judge(self, sub: StepSubmission) -> tuple[StepSpec, Any]:
        spec = self.steps.get(sub.step)
        if spec is None or not self.step_open(sub.step) or sub.step in self._submitting:
            raise reject(WRONG_STAGE, f"step {sub.step!r} is not open (stage {self.state.stage!r})")
        if spec.role is not None and spec.role not in sub.actor.roles:
            raise reject(WRONG_ROLE, f"step {sub.step!r} needs the role {spec.role.value}")
        if spec.role is None and sub.actor.employee_id != self.state.pathway_owner:
            raise reject(WRONG_ROLE, f"step {sub.step!r} is for the pathway's named owner")
        if spec.slug not in self.state.computed:
            raise reject(
                MISSING_PREREQUISITE,
                f"the computed values of step {sub.step!r} are not ready yet (being retried)",
            )
        opened = set(self.state.opened_documents.get(sub.actor.employee_id, []))
        missing = [doc for doc in spec.prerequisites if doc not in opened]
        if missing:
            errors = [
                FieldError(field=f"documents.{d}", message="not opened by you") for d in missing
            ]
            raise reject(MISSING_PREREQUISITE, "prerequisite documents not opened", errors)
        try:
            model = spec.fields.model_validate(sub.fields)
        except ValidationError as exc:
            raise reject(INVALID_FIELDS, "invalid fields", field_errors(exc)) from None
        errors = computed_mismatches(spec, model, self.state.computed.get(spec.slug, {}))
        errors += self.extra_checks(spec, model, sub)
        if errors:
            raise reject(INVALID_FIELDS, "some fields need attention", errors)
        return spec, model

    def step_open(self, slug: str) -> bool:
        """Whether step SLUG takes a submission now: the current step (subclasses add steps
        owed beside it, e.g. a pathway's review)."""
        return self.state.current_step == slug

    def extra_checks(
        self,
        spec: StepSpec,
        model: Any,
        sub: StepSubmission,  # noqa: ARG002 - used by subclasses
    ) -> list[FieldError]:
        """Step-specific cross-checks (subclasses extend); default: the evidence rule."""
        opened = {d for docs in self.state.opened_documents.values() for d in docs}
        return evidence_errors(spec, model, opened, self.state.document_entries)

    @workflow.update(name=names.UPDATE_SUBMIT_STEP)
    async def submit_step(self, sub: StepSubmission) -> StepReceipt:
        """Record an accepted step result in its register, then let the workflow move on."""
        spec, model = self._judge(sub)  # re-judged: two updates may pass validation together
        self._submitting.add(spec.slug)
        now = workflow.now()
        ob = self.state.obligations[spec.slug]
        payload = model.model_dump(mode="json")
        entry = RecordEntryRequest(
            register_name=spec.register,
            subject=self.state.case_id,
            kind=spec.slug.replace("-", "_"),
            actor=sub.actor.employee_id,
            at=now,
            payload={
                **payload,
                "step_deadline": ob.deadline.isoformat(),
                "late": now > ob.deadline,
                "reference": self.state.reference,
                "computed": self.state.computed.get(spec.slug, {}),
                # The Update ID (the Idempotency-Key): a retry after the case has closed is
                # answered from this entry.
                "request_id": _update_id(),
            },
        )
        event = TimelineEvent(
            at=now,
            kind="step_submitted",
            actor=sub.actor.employee_id,
            detail={"step": spec.slug, "late": now > ob.deadline, "register": spec.register},
        )
        seq = await self._record_step(spec.slug, entry, event)
        self.state.results[spec.slug] = payload
        # The one recorded instant: the receipt, the register and the next deadline's start.
        done = self.obligations.complete(spec.slug, sub.actor.employee_id, at=now)
        return StepReceipt(
            case_id=self.state.case_id,
            step=spec.slug,
            accepted_at=now,
            late=done.late,
            register_name=spec.register,
            entry_seq=seq,
        )

    async def _record_step(self, slug: str, entry: RecordEntryRequest, event: TimelineEvent) -> int:
        """The register entry and the projection (with the step done) in one local activity.

        It takes its turn among the case's projections (see ``project``): an ordinary
        projection dispatched earlier must not land after it with older state.
        """
        async with self._projecting:
            projection = self.projection_update(event)
            projection.done_obligations = sorted({*projection.done_obligations, slug})
            request = RecordStepRequest(
                entry=entry,
                projection=projection,
                calendar=self.inp.calendar,
                deadline_rules=self.follow_on_rules(),
            )
            result = await run_db_local(names.ACT_RECORD_STEP, request, RecordStepResult)
        event.detail["seq"] = result.seq
        self.obligations.known = {(d.rule, d.start): d for d in result.deadlines}
        return result.seq

    def follow_on_rules(self) -> list[str]:
        """The deadline rules an accepted step may open counted from its instant (the next
        step's, say), computed with its register entry: every step's rule (subclasses add)."""
        return sorted({spec.deadline_rule for spec in self.steps.values()})

    @submit_step.validator
    def validate_submit_step(self, sub: StepSubmission) -> None:
        self._judge(sub)

    # -- documents --------------------------------------------------------------------------

    @workflow.update(name=names.UPDATE_OPEN_DOCUMENT)
    async def open_document(self, opened: DocumentOpened) -> list[str]:
        """Record that the actor opened a document (the API stored the opening first)."""
        known = self.state.document_entries.get(opened.document, [])
        self.state.document_entries[opened.document] = list(
            dict.fromkeys([*known, *opened.entries])
        )
        docs = self.state.opened_documents.setdefault(opened.actor.employee_id, [])
        if opened.document not in docs:
            docs.append(opened.document)
            await self.project(
                TimelineEvent(
                    at=workflow.now(),
                    kind="document_opened",
                    actor=opened.actor.employee_id,
                    detail={"document": opened.document},
                )
            )
        await self.document_opened(opened)
        return list(docs)

    async def document_opened(self, opened: DocumentOpened) -> None:
        """Hook run at every opening (first or not): e.g. refresh what the document shows."""

    @open_document.validator
    def validate_open_document(self, opened: DocumentOpened) -> None:
        if opened.document not in self.documents:
            raise reject(WRONG_STAGE, f"no document {opened.document!r} for this case")
