"""The generic step engine: obligations with deadlines that escalate until they are done.

Runs inside workflows. Deadlines come from the calendar through a local activity, so the instant
and the calendar version are recorded in history and a calendar change never breaks a replay.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

from workflows.search_attributes import KEY_ESCALATED, KEY_ESCALATION_LEVEL, KEY_NEXT_DEADLINE

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.calendar import CalendarConfig, DeadlineResult
    from domain.cases import (
        EscalationRequest,
        EscalationResult,
        Obligation,
        ObligationNotice,
        PathwayNotice,
        TimelineEvent,
    )
    from domain.roles import Role

from workflows.calls import MAIL_RETRY, MAIL_TIMEOUT, compute_deadline, deliver, run_db

ESCALATION_INTERVAL_RULE = "4 working hours"


class Obligations:
    """Open, track and escalate a case's obligations (steps, acceptance, pathway actions)."""

    def __init__(
        self,
        *,
        subject: str,
        example: str,
        calendar: CalendarConfig,
        store: dict[str, Obligation],
        on_change: Callable[[TimelineEvent], Awaitable[None]],
    ) -> None:
        self.subject = subject
        self.example = example
        self.calendar = calendar
        self.store = store
        self.on_change = on_change
        self.deliveries: list[workflow.ActivityHandle[int]] = []
        # While a list, notices are kept here instead of mailed (a step's opening sends them).
        self.held: list[ObligationNotice] | None = None
        # While set (a stage is opening), an obligation opened leaves its search attributes to
        # the stage's one upsert (``attribute_updates``): one history event, not one each.
        self.deferring = False
        # Deadlines already computed (by rule and start), e.g. with a step's register entry:
        # an obligation opened by them needs no calendar call of its own.
        self.known: dict[tuple[str, datetime], DeadlineResult] = {}

    async def open(
        self,
        key: str,
        title: str,
        *,
        rule: str,
        start: datetime,
        role: Role | None = None,
        assignee: str | None = None,
        announce: bool = True,
    ) -> Obligation:
        """Open an obligation due by RULE from START (idempotent per key); ANNOUNCE mails whoever
        owes it (False for work the system does, e.g. generating a review: only lateness is)."""
        if key in self.store:
            return self.store[key]
        due = self.known.get((rule, start)) or await compute_deadline(self.calendar, rule, start)
        return await self.open_at(
            key,
            title,
            deadline=due.due_at,
            rule=rule,
            version=due.calendar_version,
            role=role,
            assignee=assignee,
            announce=announce,
        )

    async def open_at(
        self,
        key: str,
        title: str,
        *,
        deadline: datetime,
        rule: str,
        version: str,
        role: Role | None = None,
        assignee: str | None = None,
        announce: bool = True,
    ) -> Obligation:
        """Open an obligation with an already computed deadline."""
        ob = Obligation(
            key=key,
            title=title,
            role=role,
            assignee=assignee,
            opened_at=workflow.now(),
            deadline=deadline,
            deadline_rule=rule,
            calendar_version=version,
            next_escalation_at=deadline,
        )
        self.store[key] = ob
        if not self.deferring:
            self.upsert_search_attributes()
        if announce:
            self._announce(ob)
        await self.on_change(
            TimelineEvent(
                at=workflow.now(),
                kind="obligation_opened",
                actor="system",
                detail={"obligation": key, "deadline": deadline.isoformat(), "rule": rule},
            )
        )
        return ob

    def _announce(self, ob: Obligation) -> None:
        """Mail "this is now yours" to whoever owes OB, without holding up the workflow."""
        notice = ObligationNotice(
            subject=self.subject,
            example=self.example,
            obligation=ob.key,
            title=ob.title,
            role=ob.role,
            assignee=ob.assignee,
            deadline=ob.deadline,
            opened_at=ob.opened_at,
        )
        if self.held is not None:
            self.held.append(notice)
        else:
            self.announce(notice)

    def announce(self, notice: ObligationNotice) -> None:
        """Start mailing NOTICE (an activity of its own, retried until the server takes it)."""
        self.deliveries.append(
            workflow.start_activity(
                names.ACT_NOTIFY_OPENED,
                notice,
                result_type=int,
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
            )
        )

    def announce_pathway(self, notice: PathwayNotice) -> None:
        """Start mailing a pathway's owner everything its authorization opened, in one mail."""
        self.deliveries.append(
            workflow.start_activity(
                names.ACT_NOTIFY_PATHWAY,
                notice,
                result_type=int,
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
            )
        )

    def reassign(self, old: str, new: str) -> list[Obligation]:
        """Open obligations owed by ``old`` are owed by ``new`` from now (deadlines unchanged)."""
        moved = [ob for ob in self.open_items() if ob.assignee == old]
        for ob in moved:
            ob.assignee = new
        return moved

    def complete(self, key: str, actor: str, at: datetime | None = None) -> Obligation:
        """Mark an obligation done AT (the accepted request's recorded instant; default now),
        late if after its deadline; never called by a timer."""
        ob = self.store[key]
        now = at or workflow.now()
        ob.done_at = now
        ob.done_by = actor
        ob.late = now > ob.deadline
        self.upsert_search_attributes()
        return ob

    async def watch(self, key: str) -> Obligation:
        """Wait until done, escalating at the deadline and then every 4 working hours."""
        ob = self.store[key]
        while ob.done_at is None:
            remaining = (ob.next_escalation_at - workflow.now()).total_seconds()
            if remaining > 0:
                try:
                    await workflow.wait_condition(
                        lambda: ob.done_at is not None,
                        timeout=remaining,
                        timeout_summary=f"deadline:{key}:level-{ob.level + 1}",
                    )
                except TimeoutError:
                    pass
            if ob.done_at is None:
                await self._escalate(ob)
        return ob

    async def _escalate(self, ob: Obligation) -> None:
        """Record a breach at the next level and schedule the next reminder; never completes.

        Behind schedule (a review started late, a worker outage), it escalates once, straight to
        the level now due, instead of once per missed interval with a burst of stale mails.
        """
        at, level = ob.next_escalation_at, ob.level + 1
        nxt = await compute_deadline(self.calendar, ESCALATION_INTERVAL_RULE, at)
        while nxt.due_at <= workflow.now():
            at, level = nxt.due_at, level + 1
            nxt = await compute_deadline(self.calendar, ESCALATION_INTERVAL_RULE, at)
        ob.level = level
        result = await run_db(
            names.ACT_ESCALATE,
            EscalationRequest(
                case_id=self.subject,
                example=self.example,
                obligation=ob.key,
                title=ob.title,
                role=ob.role,
                assignee=ob.assignee,
                deadline=ob.deadline,
                level=ob.level,
                at=at,
            ),
            EscalationResult,
        )
        delivery = deliver(result.message_ids)
        if delivery is not None:
            self.deliveries.append(delivery)
        ob.next_escalation_at = nxt.due_at
        self.upsert_search_attributes()
        await self.on_change(
            TimelineEvent(
                at=workflow.now(),
                kind="escalated",
                actor="system",
                detail={
                    "obligation": ob.key,
                    "level": ob.level,
                    "deadline": ob.deadline.isoformat(),
                    "notified": result.notified,
                },
            )
        )

    def open_items(self) -> list[Obligation]:
        return [ob for ob in self.store.values() if ob.done_at is None]

    def next_deadline(self) -> datetime | None:
        pending = [ob.deadline for ob in self.open_items()]
        return min(pending) if pending else None

    def escalation_level(self) -> int:
        return max((ob.level for ob in self.open_items()), default=0)

    def upsert_search_attributes(self) -> None:
        """Keep the operator's Web UI filters (next deadline, escalation) current."""
        workflow.upsert_search_attributes(self.attribute_updates())

    def attribute_updates(self) -> list[SearchAttributeUpdate[Any]]:
        """The search attributes of the obligations as they stand (next deadline, escalation)."""
        level = self.escalation_level()
        nxt = self.next_deadline()
        return [
            KEY_ESCALATED.value_set(level > 0),
            KEY_ESCALATION_LEVEL.value_set(level),
            KEY_NEXT_DEADLINE.value_set(nxt) if nxt else KEY_NEXT_DEADLINE.value_unset(),
        ]
