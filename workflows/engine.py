"""The generic step engine: obligations with deadlines that escalate until they are done.

Runs inside workflows. Deadlines come from the calendar through a local activity, so the instant
and the calendar version are recorded in history and a calendar change never breaks a replay.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

from workflows.search_attributes import KEY_ESCALATED, KEY_ESCALATION_LEVEL, KEY_NEXT_DEADLINE

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.calendar import CalendarConfig, DeadlineResult
    from domain.cases import (
        DeadlineRequest,
        EscalationRequest,
        EscalationResult,
        Obligation,
        ObligationNotice,
        TimelineEvent,
    )
    from domain.roles import Role

# Database work retries until it succeeds (a DB outage delays, never loses, a transition).
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
DB_TIMEOUT = timedelta(seconds=60)
# A short write made inside the workflow task (a local activity): one attempt may take this long.
DB_LOCAL_TIMEOUT = timedelta(seconds=10)
DB_LOCAL_GIVE_UP = timedelta(seconds=30)
CALENDAR_TIMEOUT = timedelta(seconds=10)
# Mail delivery retries until the server takes the message (backing off to every 10 minutes).
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=10)
)
MAIL_TIMEOUT = timedelta(minutes=2)
ESCALATION_INTERVAL_RULE = "4 working hours"
# Escalations after this patch catch up in one step when the workflow is behind schedule.


async def compute_deadline(calendar: CalendarConfig, rule: str, start: datetime) -> DeadlineResult:
    """Ask the calendar (a local activity) for the deadline of RULE counted from START."""
    result: DeadlineResult = await workflow.execute_local_activity(
        names.ACT_COMPUTE_DEADLINE,
        DeadlineRequest(calendar=calendar, rule=rule, start=start),
        result_type=DeadlineResult,
        start_to_close_timeout=CALENDAR_TIMEOUT,
    )
    return result


def deliver(message_ids: list[int]) -> workflow.ActivityHandle[int] | None:
    """Start delivering queued mails without blocking the caller's timers."""
    if not message_ids:
        return None
    return workflow.start_activity(
        names.ACT_DELIVER_NOTIFICATIONS,
        message_ids,
        result_type=int,
        start_to_close_timeout=MAIL_TIMEOUT,
        retry_policy=MAIL_RETRY,
    )


async def run_db(activity: str, arg: object, result_type: type | None = None) -> object:
    """Execute a database activity with the standard timeout and retry policy."""
    return await workflow.execute_activity(
        activity,
        arg,
        result_type=result_type,
        start_to_close_timeout=DB_TIMEOUT,
        retry_policy=DB_RETRY,
    )


async def run_db_local(activity: str, arg: object, result_type: type | None = None) -> object:
    """A short, idempotent database write as a local activity; ``run_db`` if it cannot finish.

    It runs inside the workflow task, so no activity task and no second workflow task stand
    between an Update and its answer; a worker crash re-runs it (the write finds itself). Local
    retries extend the workflow task and add to the history, so after DB_LOCAL_GIVE_UP (the
    database down, say) the same write goes to an ordinary activity, retried by the server.
    """
    try:
        return await workflow.execute_local_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=DB_LOCAL_TIMEOUT,
            schedule_to_close_timeout=DB_LOCAL_GIVE_UP,
            retry_policy=DB_RETRY,
        )
    except (ActivityError, ApplicationError, TemporalTimeoutError):
        # A local activity's failure arrives unwrapped (not as an ActivityError); a workflow's
        # cancellation (CancelledError) is not caught.
        return await run_db(activity, arg, result_type)


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
        due = await compute_deadline(self.calendar, rule, start)
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
        self.deliveries.append(
            workflow.start_activity(
                names.ACT_NOTIFY_OPENED,
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
        assert isinstance(result, EscalationResult)
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
        level = self.escalation_level()
        nxt = self.next_deadline()
        updates: list[SearchAttributeUpdate[Any]] = [
            KEY_ESCALATED.value_set(level > 0),
            KEY_ESCALATION_LEVEL.value_set(level),
            KEY_NEXT_DEADLINE.value_set(nxt) if nxt else KEY_NEXT_DEADLINE.value_unset(),
        ]
        workflow.upsert_search_attributes(updates)
