"""One past case of the demo told step by step as the workflows record it (store/demo_cases.py,
store/demo_repairs.py): the case projection and timeline, signed register entries, breaches of
the steps done late. The caller commits.

The stories are told one case after another, but a register is append-only in time: each
step's entry waits in its story (``_Story.entries``) until ``append_in_order`` appends the
entries of all the stories told together by recorded time, and names each entry's sequence in
its step's timeline event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import notices
from domain.calendar import BusinessCalendar
from domain.cases import ProjectionUpdate, TimelineEvent
from domain.examples import STEP_SPECS
from domain.ingest import validate_rows
from domain.names import EXAMPLE_CREDIBILITY
from domain.pathway_actions import ActionPlan
from domain.roles import Role
from domain.steps import date_or_instant
from store.breaches import record_breach
from store.cases import upsert_projection
from store.outbox import ask_worker
from store.registers import append_entry
from store.sources import upsert_records
from store.staff import staff_with_role
from store.tables import Case, CaseEvent, OutboxMessage, ReviewItem

ACCEPTANCE = "pathway-acceptance"


@dataclass(frozen=True, slots=True)
class _Entry:
    """A step's register entry still to append, and its timeline event's dedupe key."""

    recorded_at: datetime
    register: str
    actor: str
    subject: str
    kind: str
    payload: dict[str, Any]
    event_key: str


@dataclass
class _Story:
    """One past case told step by step (times are instants; deadlines from the step rules)."""

    session: AsyncSession
    calendar: BusinessCalendar
    case_id: str
    example: str
    item: ReviewItem
    opened_at: datetime
    stage: str = "opened"
    status: str = "open"
    n: int = 0
    done: list[str] = field(default_factory=list)
    done_at: datetime | None = None  # when the last step was submitted
    entries: list[_Entry] = field(default_factory=list)  # appended by ``append_in_order``
    public_url: str = ""  # the service's address, for the links of the mails it sent
    actions: dict[str, datetime] = field(default_factory=dict)  # open action → its deadline

    @property
    def report(self) -> str:
        """The report (NM-…) as ``open_closure_cases`` names an example-3 case's: its item's own
        reference is the closed case's (CC-…), which no worker knows."""
        return str(self.item.fields.get("reference") or self.item.reference)

    async def event(self, at: datetime, kind: str, actor: str, detail: dict[str, Any]) -> None:
        self.n += 1
        await upsert_projection(
            self.session,
            ProjectionUpdate(
                case_id=self.case_id,
                example=self.example,
                reference=self.report,
                review_id=self.item.review_id,
                service_line=str(self.item.fields.get("service_line") or "unknown"),
                exposure=str(self.item.classification),
                stage=self.stage,
                status=self.status,
                assigned_role=None,
                assignee=None,
                deadline=None,
                escalation_level=0,
                opened_at=self.opened_at,
                at=at,
                closed_at=at if self.status == "closed" else None,
                event=TimelineEvent(at=at, kind=kind, actor=actor, detail=detail),
                event_key=f"demo:{self.case_id}:{self.n}",
                done_obligations=list(self.done),
            ),
        )
        if self.n == 1 and self.example == EXAMPLE_CREDIBILITY:
            # as ``store.cases.seed_case`` names it: the worker from the closed-case register
            case = await self.session.get(Case, self.case_id)
            assert case is not None
            case.employee_id = str(self.item.fields.get("employee_id") or "")

    async def opens(self, key: str, at: datetime, rule: str) -> datetime:
        deadline = self.calendar.deadline(rule, at)
        self.stage = key
        await self.event(at, "stage", "system", {"stage": key})
        detail = {"obligation": key, "deadline": deadline.isoformat(), "rule": rule}
        await self.event(at, "obligation_opened", "system", detail)
        return deadline

    async def open_actions(self, at: datetime, plan: ActionPlan) -> None:
        """Open the pathway's actions at its authorization AT as ``workflows.pathway.open_pathway``
        does (PLAN: ``domain.pathway_actions``, from the pathway's entered dates): an entered
        instant is the deadline; an entered date is close of business that day; none is close of
        business of the authorization's day."""
        for slug, _title, when in plan:
            value = None if when is None else date_or_instant(when)
            if isinstance(value, datetime):
                due, rule = value, "explicit"
            else:
                start = at if value is None else datetime.combine(value, time(12), tzinfo=UTC)
                due, rule = self.calendar.deadline("close of business", start), "close of business"
            self.actions[slug] = due
            detail = {"obligation": f"action:{slug}", "deadline": due.isoformat(), "rule": rule}
            await self.event(at, "obligation_opened", "system", detail)

    async def action_done(self, slug: str, at: datetime, owner: str) -> None:
        """The pathway's owner marks its open action SLUG done at AT (after its deadline: the
        breach the deadline's watcher recorded, resolved by it)."""
        key, due = f"action:{slug}", self.actions.pop(slug)
        self.done.append(key)
        late = at > due
        if late:
            await record_breach(self.session, self.case_id, key, due, 1, due)
        await self.event(at, "action_done", owner, {"action": slug, "note": None, "late": late})

    async def step(self, slug: str, at: datetime, actor: str, payload: dict[str, Any]) -> None:
        """Open the step at ``at``, submit it after its own rule's deadline when ``late``."""
        spec = STEP_SPECS[slug]
        deadline = await self.opens(slug, at, spec.deadline_rule)
        done = payload.pop("_done_at", None) or at + timedelta(hours=1)
        computed = payload.pop("_computed", None) or {}
        spec.fields.model_validate(payload)  # what a real submission of this step must be
        late = done > deadline
        if late:  # the deadline passed first: a breach at level 1, resolved by the submission
            await record_breach(self.session, self.case_id, slug, deadline, 1, deadline)
        payload = {
            **payload,
            "step_deadline": deadline.isoformat(),
            "late": late,
            "reference": self.item.reference,
            "computed": computed,
            "request_id": f"demo-{self.case_id}-{slug}",
        }
        self.done.append(slug)
        self.done_at = done
        detail = {"step": slug, "late": late, "register": spec.register, "seq": None}
        await self.event(done, "step_submitted", actor, detail)
        kind = slug.replace("-", "_")
        key = f"demo:{self.case_id}:{self.n}"
        self.entries.append(_Entry(done, spec.register, actor, self.case_id, kind, payload, key))

    async def close(self, at: datetime, category: str, final_role: Role, register: str) -> None:
        """Close the case as ``workflows.pathway.PathwayCase.close`` does: the closed event, the
        ``case_closed`` entry in the pathway's REGISTER (appended in order; example 3's review
        reads it) and the worker's confirmation request, sent at ``at``."""
        worker = str(self.item.fields.get("employee_id") or "")
        closure = {"category": category, "final_reviewing_role": final_role.value}
        self.stage, self.status = "closed", "closed"
        await self.event(at, "closed", "system", {**closure, "closed_at": at.isoformat()})
        payload = {"reference": self.report, "closure_category": category,
                   "final_reviewing_role": final_role.value, "employee_id": worker}  # fmt: skip
        key = f"demo:{self.case_id}:closed"  # names no timeline event: a closure has no seq
        self.entries.append(
            _Entry(at, register, "system", self.case_id, "case_closed", payload, key)
        )
        reference = self.report
        sent = await ask_worker(
            self.session,
            worker,
            notices.confirmation_link(self.public_url, self.case_id),
            dedupe_key=f"confirmation:{self.case_id}",
            subject=notices.confirmation_subject(reference),
            body=lambda name, page: notices.confirmation_body(reference, category, name, page),
            at=at,
        )
        for message_id in sent:  # history: it went at the closure, nothing is left to send
            message = await self.session.get(OutboxMessage, message_id)
            assert message is not None
            message.sent_at, message.attempts = at, 1


async def _answer(session: AsyncSession, feed: str, row: dict[str, Any], at: datetime) -> None:
    """Store a form answer as the forms do (validated against the feed contract)."""
    records, rejections = validate_rows(feed, [row])
    assert not rejections, rejections
    await upsert_records(session, feed, records, at)


async def append_in_order(session: AsyncSession, stories: list[_Story]) -> None:
    """Append the stories' waiting register entries by recorded time (a register's sequence
    never goes back in time), and name each entry's sequence in its step's timeline event."""
    waiting = sorted(
        (e for story in stories for e in story.entries), key=lambda e: e.recorded_at
    )  # a stable sort: one story's steps at the same instant keep their order
    for story in stories:
        story.entries.clear()
    seqs: dict[str, int] = {}
    for e in waiting:
        entry = await append_entry(
            session,
            e.register,
            actor=e.actor,
            recorded_at=e.recorded_at,
            subject=e.subject,
            kind=e.kind,
            payload=e.payload,
        )
        seqs[e.event_key] = entry.seq
    if not seqs:
        return
    events = await session.scalars(select(CaseEvent).where(CaseEvent.dedupe_key.in_(seqs)))
    for event in events:
        event.detail = {**event.detail, "seq": seqs[event.dedupe_key]}


async def _holder(session: AsyncSession, role: Role | None, fallback: str) -> str:
    people = await staff_with_role(session, role) if role else []
    return people[0].employee_id if people else fallback


def _morning(cal: BusinessCalendar, t: datetime, days: int) -> datetime:
    """10:00 local on the ``days``-th working day after ``t``'s local date."""
    day = cal.local(t).date()
    for _ in range(days):
        day = cal.next_working_day(day)
    return cal.wall(day, time(10)).astimezone(UTC)


def _day(when: datetime) -> str:
    return when.date().isoformat()
