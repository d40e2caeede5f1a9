"""A case's state of record, its projection to the database, its signals and queries (every
example).

Every transition writes the case row (stage, exposure, deadlines, escalation) with one timeline
event, one write at a time; queries read the same row without changing anything.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.calendar import local_date
    from domain.cases import (
        CaseInput,
        CaseState,
        ExposureRaised,
        KeyedEvent,
        PackPublished,
        ProjectionUpdate,
        TimelineEvent,
        owed,
    )
    from domain.steps import StepSpec

from workflows.calls import run_db
from workflows.engine import Obligations
from workflows.search_attributes import KEY_EXPOSURE, stage_attributes

EXPOSURE_ORDER = {"within_tolerance": 0, "emerging": 1, "critical": 2}


class CaseProjection:
    """A case's state, its obligations and the projection every transition writes."""

    def __init__(self, inp: CaseInput) -> None:
        self.inp = inp
        self.state = CaseState(
            case_id=inp.case_id,
            example=inp.example,
            reference=inp.reference,
            review_id=inp.review_id,
            exposure=inp.exposure,
            service_line=inp.service_line,
            opened_at=inp.opened_at,
            policy_version=inp.policy_version,
        )
        self.obligations = Obligations(
            subject=inp.case_id,
            example=inp.example,
            calendar=inp.calendar,
            store=self.state.obligations,
            on_change=self.project,
        )
        self._submitting: set[str] = set()
        self._deferred: list[KeyedEvent] = []
        self._projecting = asyncio.Lock()

    # -- projection -------------------------------------------------------------------------

    @property
    def _deferring(self) -> bool:
        """While a stage opens (see run_step), projections only queue their event for the
        stage's write, and obligations leave their search attributes to its upsert."""
        return self.obligations.deferring

    @_deferring.setter
    def _deferring(self, value: bool) -> None:
        self.obligations.deferring = value

    async def project(self, event: TimelineEvent | None = None) -> None:
        """Write the case projection (and one timeline event) to the database."""
        if self._deferring:
            if event is not None:
                self._deferred.append(KeyedEvent(key=self._timeline_append(event), event=event))
            return
        # One write at a time, each with the state as it is when its turn comes (the last
        # write is the newest). An ordinary activity, not a local one: as a local activity the
        # stage's write after a step joins the Update's workflow task, and the answer waits for
        # it (issue 17 measured that: fewer tasks, slower answers at concurrency 50).
        async with self._projecting:
            await run_db(names.ACT_PROJECT_CASE, self.projection_update(event))

    def local_today(self) -> date:
        """Today in the provider's zone: date checks compare local dates, not UTC ones (an hour
        apart around midnight in summer time)."""
        return local_date(workflow.now(), self.inp.calendar.timezone)

    def _timeline_append(self, event: TimelineEvent) -> str:
        """Append EVENT to the timeline; its deduplication key (its place there)."""
        self.state.timeline.append(event)
        return f"{self.state.case_id}:{len(self.state.timeline)}:{event.kind}"

    def projection_update(self, event: TimelineEvent | None = None) -> ProjectionUpdate:
        """The case row as it stands now, with EVENT appended to the timeline."""
        key = self._timeline_append(event) if event is not None else None
        earlier, self._deferred = self._deferred, []
        return self.projection_row().model_copy(
            update={"event": event, "event_key": key, "earlier_events": earlier}
        )

    def projection_row(self) -> ProjectionUpdate:
        """The case row as it stands now (changes nothing: queries call it too)."""
        st = self.state
        current = st.obligations.get(st.current_step or "")
        return ProjectionUpdate(
            case_id=st.case_id,
            example=st.example,
            reference=st.reference,
            review_id=st.review_id,
            service_line=st.service_line,
            exposure=st.exposure,
            stage=st.stage,
            status=st.status,
            assigned_role=current.role.value if current and current.role else None,
            assignee=st.pathway_owner if st.stage.startswith("pathway") else None,
            deadline=self.obligations.next_deadline(),
            escalation_level=self.obligations.escalation_level(),
            opened_at=st.opened_at,
            at=workflow.now(),
            closed_at=workflow.now() if st.status == "closed" else None,
            detail={
                "current_step": st.current_step,
                "visible_in": st.visible_in,
                "pathway_owner": st.pathway_owner,
                "open": owed(self.obligations.open_items()),
            },
            done_obligations=[k for k, ob in st.obligations.items() if ob.done_at is not None],
        )

    async def set_stage(self, stage: str, step: StepSpec | None = None) -> None:
        """Move to a stage: search attributes, projection, timeline."""
        await self.project(self.enter_stage(stage, step))

    def enter_stage(self, stage: str, step: StepSpec | None = None) -> TimelineEvent:
        """Move to a stage and its search attributes; the timeline event to project."""
        self.state.stage = stage
        self.state.current_step = step.slug if step else None
        role = step.role if step else None
        # One upsert with the obligations' attributes: those opened with the stage wait for it.
        workflow.upsert_search_attributes(
            stage_attributes(stage, self.state.status, self.state.exposure, role)
            + self.obligations.attribute_updates()
        )
        return TimelineEvent(
            at=workflow.now(), kind="stage", actor="system", detail={"stage": stage}
        )

    def _done_at(self, key: str) -> datetime:
        """When the obligation KEY was completed (it has been)."""
        done = self.state.obligations[key].done_at
        assert done is not None
        return done

    # -- signals: what reviews and packs tell the case -----------------------------------

    @workflow.signal(name=names.SIGNAL_PACK_PUBLISHED)
    async def pack_published(self, pack: PackPublished) -> None:
        label = f"{pack.kind}/{pack.period}"
        if label not in self.state.visible_in:
            self.state.visible_in.append(label)

    @workflow.signal(name=names.SIGNAL_RAISE_EXPOSURE)
    async def raise_exposure(self, raised: ExposureRaised) -> None:
        """A later review found the report exposed again: exposure only ever rises."""
        if EXPOSURE_ORDER.get(raised.exposure, 0) > EXPOSURE_ORDER.get(self.state.exposure, 0):
            self.state.exposure = raised.exposure
            workflow.upsert_search_attributes([KEY_EXPOSURE.value_set(raised.exposure)])
            await self.project(
                TimelineEvent(
                    at=workflow.now(),
                    kind="exposure_raised",
                    actor="system",
                    detail={"exposure": raised.exposure, "review_id": raised.review_id},
                )
            )

    @workflow.query(name=names.QUERY_STATE)
    def current_state(self) -> CaseState:
        return self.state

    @workflow.query(name=names.QUERY_PROJECTION)
    def projection(self) -> ProjectionUpdate:
        """The case row now, with the whole timeline under the keys the projections used (a
        rebuild of the database's projection writes exactly what the workflow wrote)."""
        st = self.state
        timeline = [
            KeyedEvent(key=f"{st.case_id}:{i}:{event.kind}", event=event)
            for i, event in enumerate(st.timeline, start=1)
        ]
        return self.projection_row().model_copy(update={"earlier_events": timeline})
