"""Pack workflows: generated on schedule or on demand; publishing makes listed cases visible."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.cases import PackPublished
    from domain.packs import PACKS
    from domain.periodic import PackInput, PackSummary, PublishPack, PublishRequest
    from domain.steps import WRONG_ROLE, WRONG_STAGE

from workflows.calls import run_db
from workflows.case_base import reject


@workflow.defn(name=names.WF_PACK)
class PackWorkflow:
    """Generate a pack (idempotent), wait for its named publisher, then signal each listed case."""

    @workflow.init
    def __init__(self, inp: PackInput) -> None:
        self.inp = inp
        self.spec = PACKS[inp.kind]
        self.summary = PackSummary(kind=inp.kind, period=inp.period)
        self._publishing = False
        self._generated = False

    @workflow.run
    async def run(self, inp: PackInput) -> PackSummary:
        generated = await run_db(names.ACT_GENERATE_PACK, inp, PackSummary)
        self._generated = True
        if self.summary.published_at is None:
            self.summary.case_ids = generated.case_ids
        await workflow.wait_condition(lambda: self.summary.published_at is not None)
        # Let the publish update finish signalling before the workflow completes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.summary

    @workflow.update(name=names.UPDATE_PUBLISH)
    async def publish(self, request: PublishPack) -> PackSummary:
        """Publish: the case list is refreshed at publication, then each case is told."""
        self._judge(request)
        self._publishing = True
        await workflow.wait_condition(lambda: self._generated)  # never race the generation
        now = workflow.now()
        published = await run_db(
            names.ACT_PUBLISH_PACK,
            PublishRequest(
                kind=self.inp.kind, period=self.inp.period, actor=request.actor.employee_id, at=now
            ),
            PackSummary,
        )
        signal = PackPublished(
            kind=self.inp.kind,
            period=self.inp.period,
            published_at=now,
            published_by=request.actor.employee_id,
        )
        for case_id in published.case_ids:
            handle = workflow.get_external_workflow_handle(case_id)
            try:
                await handle.signal(names.SIGNAL_PACK_PUBLISHED, signal)
            except Exception:  # a case closed meanwhile cannot be signalled; it needs nothing
                workflow.logger.warning("pack %s could not signal %s", self.inp.kind, case_id)
        self.summary = published
        return self.summary

    @publish.validator
    def validate_publish(self, request: PublishPack) -> None:
        self._judge(request)

    def _judge(self, request: PublishPack) -> None:
        if self._publishing or self.summary.published_at is not None:
            raise reject(WRONG_STAGE, "the pack is already published")
        if self.spec.publisher not in request.actor.roles:
            raise reject(WRONG_ROLE, f"publishing needs the role {self.spec.publisher.value}")

    @workflow.query(name=names.QUERY_STATE)
    def current_state(self) -> PackSummary:
        return self.summary
