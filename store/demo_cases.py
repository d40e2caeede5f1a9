"""The demo's past cases (`nearmiss dev --demo`): a few cases of the demo's past reviews
(store/demo_history.py) carried through their steps as the workflows record them — the case
projection and timeline (``upsert_projection``), signed register entries (``append_entry``),
breaches of the steps done late — so packs, analytics and the evidence pack show pathways,
validations and late steps on a fresh demo.

They are history only: no workflow runs for them (Temporal keeps no record; a projection
rebuild from Temporal leaves them as they are). Deadlines come from each step's own rule on the
provider calendar; whoever holds the step's role does it. Idempotent: a case that exists is
left alone. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import acknowledgment_steps as ack
from domain import learning_steps as ls
from domain import names
from domain.calendar import BusinessCalendar
from domain.cases import ProjectionUpdate, TimelineEvent
from domain.examples import STEP_SPECS
from domain.roles import Role
from store.cases import record_breach, upsert_projection
from store.registers import append_entry
from store.review_items import set_review_case_ids
from store.staff import staff_with_role
from store.tables import Case, Review, ReviewItem

ACCEPTANCE = "pathway-acceptance"


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

    async def event(self, at: datetime, kind: str, actor: str, detail: dict[str, Any]) -> None:
        self.n += 1
        await upsert_projection(
            self.session,
            ProjectionUpdate(
                case_id=self.case_id,
                example=self.example,
                reference=self.item.reference,
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

    async def opens(self, key: str, at: datetime, rule: str) -> datetime:
        deadline = self.calendar.deadline(rule, at)
        self.stage = key
        await self.event(at, "stage", "system", {"stage": key})
        detail = {"obligation": key, "deadline": deadline.isoformat(), "rule": rule}
        await self.event(at, "obligation_opened", "system", detail)
        return deadline

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
        entry = await append_entry(
            self.session,
            spec.register,
            actor=actor,
            recorded_at=done,
            subject=self.case_id,
            kind=slug.replace("-", "_"),
            payload={
                **payload,
                "step_deadline": deadline.isoformat(),
                "late": late,
                "reference": self.item.reference,
                "computed": computed,
                "request_id": f"demo-{self.case_id}-{slug}",
            },  # fmt: skip
        )
        self.done.append(slug)
        self.done_at = done
        detail = {"step": slug, "late": late, "register": spec.register, "seq": entry.seq}
        await self.event(done, "step_submitted", actor, detail)


async def _holder(session: AsyncSession, role: Role | None, fallback: str) -> str:
    people = await staff_with_role(session, role) if role else []
    return people[0].employee_id if people else fallback


async def _items(
    session: AsyncSession, example: str, classes: tuple[str, ...], before: date
) -> list[ReviewItem]:
    """Classified items of the example's signed-off reviews of periods before ``before``,
    oldest review first."""
    rows = await session.scalars(
        select(ReviewItem)
        .join(Review, Review.review_id == ReviewItem.review_id)
        .where(Review.example == example, Review.status == "reviewed")
        .where(Review.period < before.isoformat())
        .where(ReviewItem.classification.in_(classes))
        .order_by(Review.period, ReviewItem.reference)
    )
    return list(rows)


def _morning(cal: BusinessCalendar, t: datetime, days: int) -> datetime:
    """10:00 local on the ``days``-th working day after ``t``'s local date."""
    day = cal.local(t).date()
    for _ in range(days):
        day = cal.next_working_day(day)
    return cal.wall(day, time(10)).astimezone(UTC)


def _day(when: datetime) -> str:
    return when.date().isoformat()


async def _acknowledgment_case(story: _Story, late: bool) -> None:
    s, cal = story.session, story.calendar
    sup = await _holder(s, ack.STEPS["triage-attribution"].role, "")
    start = story.opened_at
    triaged = _morning(cal, start, 1) if late else start + timedelta(hours=3)
    source = {"source": "absent_named_triage_ownership",
              "evidence": [{"document": "report-chronology"},
                           {"document": "risk-classification-source"}]}  # fmt: skip
    await story.step("triage-attribution", start, sup, {
        "confirmed_sources": [source], "indicators_above_threshold": 2,
        "repeated_worker_exposure": False, "category_repeatedly_under_triaged": False,
        "unsafe_condition_active_while_pending": False,
        "note": "Report waited overnight with no named owner.", "_done_at": triaged})  # fmt: skip
    manager = await _holder(s, ack.STEPS["retention-impact"].role, sup)
    await story.step("retention-impact", triaged + timedelta(minutes=5), manager, {
        "impact_level": "medium", "affected_speaking_up_confidence": True,
        "affected_trust_in_management_attention": True,
        "affected_willingness_to_report_early": False, "affected_intention_to_remain": False,
        "prior_90d_retention_risk": "low", "prior_reports_180d": 2,
        "repeated_exposures_same_domain": 1, "open_concern": False,
        "note": "Worker said they felt unheard."})  # fmt: skip
    director = await _holder(s, ack.STEPS["recovery-pathway"].role, manager)
    owner = await _holder(s, Role.NEAR_MISS_GOVERNANCE_SUPERVISOR, director)
    authorized = triaged + timedelta(hours=2)
    await story.step("recovery-pathway", authorized - timedelta(hours=1), director, {
        "pathway_type": "named_ownership_assignment", "responsible_owner_id": owner,
        "triage_control_implementation_deadline": _day(cal.add_working_days(authorized, 5)),
        "worker_communication_deadline": _day(cal.add_working_days(authorized, 2)),
        "mandatory_review_date": _day(cal.add_working_days(authorized, 10)),
        "immediate_senior_acknowledgment": True, "mandatory_named_owner_assignment": True,
        "temporary_daily_service_line_review": False,
        "same_day_unsafe_condition_escalation": False,
        "note": "Senior acknowledgment and a named owner for every report this month.",
        "_done_at": authorized})  # fmt: skip
    await _accept_and_close(story, authorized, owner, late, "worker_communication")


async def _accept_and_close(
    story: _Story, authorized: datetime, owner: str, late: bool, action: str
) -> None:
    cal = story.calendar
    deadline = await story.opens(ACCEPTANCE, authorized, "1 working day")
    accepted = _morning(cal, deadline, 1) if late else authorized + timedelta(hours=2)
    if accepted > deadline:
        await record_breach(story.session, story.case_id, ACCEPTANCE, deadline, 1, deadline)
    story.done.append(ACCEPTANCE)
    await story.event(accepted, "pathway_accepted", owner, {"late": accepted > deadline})
    key = f"action:{action}"
    due = await story.opens(key, accepted, "2 working days")
    story.done.append(key)
    story.stage = "pathway-active"
    finished = _morning(cal, accepted, 1)
    await story.event(finished, "action_done", owner, {"action": action, "late": finished > due})
    story.stage, story.status = "closed", "closed"
    closed = _morning(cal, finished, 5) + timedelta(hours=2)
    await story.event(closed, "closed", "system", {"category": "recovered"})


async def _learning_case(story: _Story) -> None:
    s, cal = story.session, story.calendar
    manager = await _holder(s, ls.STEPS["learning-attribution"].role, "")
    start = story.opened_at
    source = {"source": "no_feedback_to_reporter",
              "evidence": [{"document": "corrective-action-chronology"},
                           {"document": "learning-communication-record"}]}  # fmt: skip
    await story.step("learning-attribution", start, manager, {
        "confirmed_sources": [source], "indicators_above_threshold": 2,
        "same_domain_repeated_failure": True, "same_service_line_closes_without_feedback": False,
        "recurrence_after_resolved": True, "note": "Closed, reporter not told."})  # fmt: skip
    executive = await _holder(s, ls.STEPS["stabilization-pathway"].role, manager)
    authorized = start + timedelta(hours=3)
    await story.step("stabilization-pathway", start + timedelta(hours=2), executive, {
        "pathway_type": "combined_stabilization", "responsible_owner_id": manager,
        "learning_control_implementation_deadline": _day(cal.add_working_days(authorized, 5)),
        "worker_feedback_deadline": _day(cal.add_working_days(authorized, 3)),
        "review_date": _day(cal.add_working_days(authorized, 20)),
        "direct_feedback_all_reporters_in_domain": True, "controlled_learning_bulletin": True,
        "reopened_corrective_action_review": False, "closure_criteria_redesign": False,
        "note": "Feedback to every reporter in the domain and a bulletin.",
        "_done_at": authorized})  # fmt: skip
    reviewer = await _holder(s, ls.STEPS["stabilization-validation"].role, executive)
    opens = authorized + timedelta(days=14)
    await story.step("stabilization-validation", opens, reviewer, {
        "revised_recurrence_count": 0, "revised_corrective_action_completion_rate": 1.0,
        "revised_reporter_feedback_completion_rate": 0.9,
        "final_learning_visibility_status": "visible_learning_closure",
        "clearer_evidence_of_learning": True, "recurrence_below_threshold": True,
        "decision": "close", "note": "Feedback reached 9 of 10 reporters; no recurrence.",
        "_done_at": _morning(cal, opens, 3)})  # fmt: skip
    story.stage, story.status = "closed", "closed"
    closed = _morning(cal, opens, 3) + timedelta(hours=1)
    await story.event(closed, "closed", "system", {"category": "validated"})


async def seed_cases(session: AsyncSession, calendar: BusinessCalendar, today: date) -> list[str]:
    """Two example-1 cases (one late at triage and acceptance) and one example-2 case (a late
    validation) from the oldest past reviews, old enough on ``today`` for every step to be over."""
    made: list[str] = []
    plan = [  # periods old enough for a case to have run its course (about 2 and 5 weeks)
        (names.EXAMPLE_ACKNOWLEDGMENT, ("critical", "emerging"), 2, names.ack_case_id, 21),
        (names.EXAMPLE_LEARNING, ("critical", "emerging"), 1, ls.learning_case_id, 42),
    ]
    for example, classes, count, case_id_of, age in plan:
        seen: set[str] = set()
        for item in await _items(session, example, classes, today - timedelta(days=age)):
            case_id = case_id_of(item.reference)
            if len(seen) == count or item.reference in seen:
                continue
            seen.add(item.reference)  # a report is classed at each daily review: its first
            if await session.get(Case, case_id) is not None:
                continue
            review = await session.get(Review, item.review_id)
            assert review is not None and review.reviewed_at is not None
            story = _Story(session, calendar, case_id, example, item, review.reviewed_at)
            await set_review_case_ids(session, item.review_id, {item.reference: case_id})
            if example == names.EXAMPLE_ACKNOWLEDGMENT:
                await _acknowledgment_case(story, late=not made)
            else:
                await _learning_case(story)
            made.append(case_id)
    await session.flush()
    return made
