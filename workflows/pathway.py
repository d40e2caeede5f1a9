"""Generic pathway handling shared by every example: acceptance, actions, visibility, closure."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.cases import (
        ActionDone,
        CaseState,
        CloseRequest,
        DocumentOpened,
        ObligationNotice,
        PathwayAcceptance,
        PathwayNotice,
        PathwayReassignment,
        ReassignmentNotice,
        RecordEntryRequest,
        RecordEntryResult,
        TimelineEvent,
    )
    from domain.pathway_actions import ActionPlan
    from domain.roles import Role
    from domain.steps import WRONG_ROLE, WRONG_STAGE, StepSpec, date_or_instant

from workflows.calls import MAIL_RETRY, MAIL_TIMEOUT, deliver, run_db
from workflows.case_base import CaseWorkflowBase, reject

ACCEPTANCE = "pathway-acceptance"


def noon_utc(day: date) -> datetime:
    """An instant inside DAY in any European zone: 'close of business' from it is that day's."""
    return datetime.combine(day, time(12), tzinfo=UTC)


class PathwayCaseWorkflow(CaseWorkflowBase):
    """A case with a pathway whose named owner accepts it and completes its actions."""

    async def open_pathway(
        self,
        owner: str,
        title: str,
        authorized_at: datetime,
        actions: ActionPlan,
        also: Callable[[], Awaitable[None]] | None = None,
    ) -> list[asyncio.Task[object]]:
        """Open acceptance (1 working day), each action's deadline and ALSO (the pathway's first
        review), then the acceptance stage: once the stage shows, everything the authorization
        opened is open (a receipt waits for it). Watchers run concurrently."""
        self.state.pathway_owner = owner
        # Everything the authorization opens reaches the projection in the stage's one write (its
        # events in order), not one write each; its mails wait for that write and go as one.
        self._deferring = True
        self.obligations.held = []
        try:
            await self.obligations.open(
                ACCEPTANCE,
                f"Accept the {title}",
                rule="1 working day",
                start=authorized_at,
                assignee=owner,
            )
            keys = []
            for action, action_title, when in actions:
                key = f"action:{action}"
                deadline = None if when is None else date_or_instant(when)
                if isinstance(deadline, datetime):
                    await self.obligations.open_at(
                        key,
                        action_title,
                        deadline=deadline,
                        rule="explicit",
                        version="explicit",
                        assignee=owner,
                    )
                else:  # a bare date: close of business that day; none: close of business today
                    start = authorized_at if deadline is None else noon_utc(deadline)
                    await self.obligations.open(
                        key, action_title, rule="close of business", start=start, assignee=owner
                    )
                keys.append(key)
            if also is not None:
                await also()
        finally:
            self._deferring = False
            held, self.obligations.held = self.obligations.held or [], None
        await self.set_stage(ACCEPTANCE)
        self._announce_pathway(owner, title, held)
        return [asyncio.create_task(self.obligations.watch(k)) for k in keys]

    def _announce_pathway(self, owner: str, title: str, held: list[ObligationNotice]) -> None:
        """One mail to OWNER listing what the authorization opened for them (not one per
        action); anything owed by someone else is mailed as usual."""
        owed = [n for n in held if n.assignee == owner]
        for other in (n for n in held if n.assignee != owner):
            self.obligations.announce(other)
        if owed:
            notice = PathwayNotice(
                subject=self.obligations.subject,
                example=self.obligations.example,
                pathway=title,
                owner=owner,
                opened_at=owed[0].opened_at,
                items=owed,
            )
            self.obligations.announce_pathway(notice)

    def follow_on_rules(self) -> list[str]:
        """A pathway's authorization opens its acceptance and its undated actions from its
        instant too."""
        return sorted({*super().follow_on_rules(), "1 working day", "close of business"})

    def visible_in_pack(self, kind: str) -> bool:
        return any(p.startswith(kind + "/") for p in self.state.visible_in)

    async def await_activation(self, pack_kind: str | None, active_stage: str) -> datetime:
        """Wait for acceptance, then (if required) publication in a pack; returns activation."""
        await self.obligations.watch(ACCEPTANCE)
        if pack_kind is not None and not self.visible_in_pack(pack_kind):
            await self.set_stage("awaiting-visibility")
            await workflow.wait_condition(lambda: self.visible_in_pack(pack_kind))
        self.state.pathway_active_at = workflow.now()
        await self.set_stage(active_stage)
        return workflow.now()

    async def refresh_on_opening(
        self,
        opened: DocumentOpened,
        spec: StepSpec,
        document: str,
        compute: Callable[[], Awaitable[dict[str, Any]]],
        shown: tuple[str, str],
    ) -> None:
        """Opening DOCUMENT while SPEC (a validation) is open recomputes its values (not while a
        submission is recorded against them) and notes it in the timeline with SHOWN values."""
        slug = spec.slug
        if opened.document != document or self.state.current_step != slug:
            return
        if slug in self._submitting:
            return  # a submission is being recorded against the values it was judged on
        self.state.computed[slug] = computed = await compute()
        detail = {key: computed[key] for key in shown}
        event_kind = "validation_measures_refreshed"
        actor = opened.actor.employee_id
        await self.project(
            TimelineEvent(at=workflow.now(), kind=event_kind, actor=actor, detail=detail)
        )

    async def close(self, category: str, final_role: Role) -> None:
        """Close the case, record closure, and ask the worker to confirm (employee confirmation)."""
        now = workflow.now()
        self.state.status = "closed"
        self.state.closure = {
            "category": category,
            "final_reviewing_role": final_role.value,
            "closed_at": now.isoformat(),
        }
        message_ids = await run_db(
            names.ACT_CLOSE_CASE,
            CloseRequest(
                case_id=self.state.case_id,
                reference=self.state.reference,
                example=self.state.example,
                category=category,
                final_reviewing_role=final_role.value,
                at=now,
                register_name=self.pathway_log,
            ),
            list[int],
        )
        await self.set_stage("closed")
        await self.project(
            TimelineEvent(at=now, kind="closed", actor="system", detail=self.state.closure)
        )
        delivery = deliver(message_ids)
        if delivery is not None:
            await delivery  # the confirmation request must reach the worker before we finish
        # Mails retry only while the workflow runs: every one queued must be delivered first.
        await asyncio.gather(*self.obligations.deliveries)

    # -- pathway (accept, actions) ---------------------------------------------------------

    @workflow.update(name=names.UPDATE_ACCEPT_PATHWAY)
    async def accept_pathway(self, acceptance: PathwayAcceptance) -> CaseState:
        """The named owner accepts the authorized pathway (recorded in the example's log)."""
        self._judge_acceptance(acceptance)
        self._submitting.add("pathway-acceptance")
        who, now = acceptance.actor.employee_id, workflow.now()
        # Complete before its projection: the case row resolves its breaches and deadline at once.
        event = await self._log_pathway_event("pathway_accepted", who, {}, "pathway-acceptance")
        self.obligations.complete("pathway-acceptance", who, at=now)
        self.state.pathway_accepted_at = now
        await self.project(event)
        return self.state

    @accept_pathway.validator
    def validate_accept_pathway(self, acceptance: PathwayAcceptance) -> None:
        self._judge_acceptance(acceptance)

    def _judge_acceptance(self, acceptance: PathwayAcceptance) -> None:
        ob = self.state.obligations.get("pathway-acceptance")
        if ob is None or ob.done_at is not None or "pathway-acceptance" in self._submitting:
            raise reject(WRONG_STAGE, "no pathway awaiting acceptance")
        if acceptance.actor.employee_id != self.state.pathway_owner:
            raise reject(WRONG_ROLE, "only the pathway's named owner may accept it")

    @workflow.update(name=names.UPDATE_COMPLETE_ACTION)
    async def complete_action(self, done: ActionDone) -> CaseState:
        """The named owner marks one pathway action done."""
        self._judge_action(done)
        key = f"action:{done.action}"
        self._submitting.add(key)
        who, detail = done.actor.employee_id, {"action": done.action, "note": done.note}
        now = workflow.now()
        event = await self._log_pathway_event("action_done", who, detail, key)
        self.obligations.complete(key, who, at=now)
        await self.project(event)
        return self.state

    @complete_action.validator
    def validate_complete_action(self, done: ActionDone) -> None:
        self._judge_action(done)

    def _judge_action(self, done: ActionDone) -> None:
        if done.actor.employee_id != self.state.pathway_owner:
            raise reject(WRONG_ROLE, "only the pathway's named owner may mark actions done")
        if self.state.pathway_accepted_at is None:
            raise reject(WRONG_STAGE, "the pathway has not been accepted yet")
        key = f"action:{done.action}"
        ob = self.state.obligations.get(key)
        if ob is None or ob.done_at is not None or key in self._submitting:
            open_actions = [
                k.split(":", 1)[1]
                for k, o in self.state.obligations.items()
                if k.startswith("action:") and o.done_at is None
            ]
            raise reject(WRONG_STAGE, f"no open action {done.action!r}; open: {open_actions}")

    @workflow.update(name=names.UPDATE_REASSIGN_PATHWAY)
    async def reassign_pathway(self, change: PathwayReassignment) -> CaseState:
        """An administrator hands the pathway (acceptance, open actions) to another owner."""
        self._judge_reassignment(change)
        old, who = self.state.pathway_owner or "", change.actor.employee_id
        detail = {"from": old, "to": change.new_owner, "reason": change.reason}
        event = await self._log_pathway_event("pathway_reassigned", who, detail)
        self.state.pathway_owner = change.new_owner
        moved = self.obligations.reassign(old, change.new_owner)
        await self.project(event)
        notice = ReassignmentNotice(
            case_id=self.state.case_id,
            reference=self.state.reference,
            previous_owner=old,
            new_owner=change.new_owner,
            reason=change.reason,
            by=who,
            at=workflow.now(),
            owed=[ob.title for ob in moved],
        )
        mailed = workflow.start_activity(  # to both; the answer does not wait for the mail
            names.ACT_NOTIFY_REASSIGNED,
            notice,
            result_type=int,
            start_to_close_timeout=MAIL_TIMEOUT,
            retry_policy=MAIL_RETRY,
        )
        self.obligations.deliveries.append(mailed)  # delivered before the case completes
        return self.state

    @reassign_pathway.validator
    def validate_reassign_pathway(self, change: PathwayReassignment) -> None:
        self._judge_reassignment(change)

    def _judge_reassignment(self, change: PathwayReassignment) -> None:
        if Role.ADMINISTRATOR not in change.actor.roles:
            raise reject(WRONG_ROLE, "only an administrator may reassign a pathway")
        if self.state.status != "open" or not self.state.pathway_owner:
            raise reject(WRONG_STAGE, "no open pathway with a named owner to reassign")
        if change.new_owner == self.state.pathway_owner:
            raise reject(WRONG_STAGE, f"{change.new_owner} already owns this pathway")

    async def _log_pathway_event(
        self, kind: str, actor: str, detail: dict[str, Any], completes: str | None = None
    ) -> TimelineEvent:
        """Append to the pathway log; the timeline event to project. With COMPLETES (the
        obligation the event is about to complete), both say whether it was late."""
        if completes is not None:
            detail = {**detail, "late": workflow.now() > self.state.obligations[completes].deadline}
        await run_db(
            names.ACT_RECORD_ENTRY,
            RecordEntryRequest(
                register_name=self.pathway_log,
                subject=self.state.case_id,
                kind=kind,
                actor=actor,
                at=workflow.now(),
                payload={**detail, "reference": self.state.reference},
            ),
            RecordEntryResult,
        )
        return TimelineEvent(at=workflow.now(), kind=kind, actor=actor, detail=detail)

    pathway_log: str = ""
