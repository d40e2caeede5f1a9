"""The demo's past cases (`nearmiss dev --demo`): a few cases of the demo's past reviews
(store/demo_history.py) carried through their steps as the workflows record them — the case
projection and timeline (``upsert_projection``), signed register entries (``append_entry``),
breaches of the steps done late — and the packs that made them visible (the weekly pack of
the example-1 cases' review week, the fortnightly summary of the example-2 case's audit cycle,
published by their directors: store/demo_packs.py), so packs, analytics and the evidence pack
show pathways, visibility, validations and late steps on a fresh demo.

They are history only: no workflow runs for them (Temporal keeps no record; a projection
rebuild from Temporal leaves them as they are). Deadlines come from each step's own rule on the
provider calendar; whoever holds the step's role does it. Idempotent: a case that exists is
left alone. The caller commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import acknowledgment_steps as ack
from domain import learning_steps as ls
from domain import names
from domain.calendar import BusinessCalendar
from domain.credibility import CONFIRMATIONS, EVIDENCE
from domain.learning import DEFAULT_ANCHOR
from domain.pathway_actions import ActionPlan, acknowledgment_plan, learning_plan
from domain.roles import Role
from store.breaches import record_breach
from store.demo_packs import publish_for
from store.demo_story import (
    ACCEPTANCE,
    _answer,
    _day,
    _holder,
    _morning,
    _Story,
    append_in_order,
)
from store.review_items import set_review_case_ids
from store.tables import Case, Review, ReviewItem


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


async def _acknowledgment_case(story: _Story, late: bool) -> tuple[datetime, str]:
    """Up to acceptance and the first action, awaiting the weekly pack; (accepted, owner)."""
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
    pathway = {
        "pathway_type": "named_ownership_assignment", "responsible_owner_id": owner,
        "triage_control_implementation_deadline": _day(cal.add_working_days(authorized, 5)),
        "worker_communication_deadline": _day(cal.add_working_days(authorized, 2)),
        "mandatory_review_date": _day(cal.add_working_days(authorized, 10)),
        # immediate: due the authorization's day, so not in the case accepted a day late
        "immediate_senior_acknowledgment": not late, "mandatory_named_owner_assignment": True,
        "temporary_daily_service_line_review": False,
        "same_day_unsafe_condition_escalation": False,
        "note": "A named owner for every report this month"
        + ("." if late else ", and senior acknowledgment."),
        "_done_at": authorized}  # fmt: skip
    await story.step("recovery-pathway", authorized - timedelta(hours=1), director, pathway)
    accepted = await _accept(story, authorized, owner, late, acknowledgment_plan(pathway))
    story.stage = "awaiting-visibility"
    await story.event(accepted, "stage", "system", {"stage": "awaiting-visibility"})
    await _act(story, accepted, owner)  # the owner may act before the pack makes it visible
    return accepted, owner


async def _act(story: _Story, accepted: datetime, owner: str) -> None:
    """The owner marks the pathway's actions done: the immediate ones (due the authorization's
    day) a quarter of an hour after accepting, the dated ones on the mornings that follow."""
    dated = 0
    for slug in list(story.actions):
        if story.actions[slug] <= accepted + timedelta(days=1):
            await story.action_done(slug, accepted + timedelta(minutes=15), owner)
            continue
        dated += 1
        await story.action_done(slug, _morning(story.calendar, accepted, dated), owner)


async def _accept(
    story: _Story, authorized: datetime, owner: str, late: bool, plan: ActionPlan
) -> datetime:
    """The pathway's acceptance and PLAN's actions open at its authorization; the named owner
    accepts it (a working day late when LATE); when."""
    deadline = await story.opens(ACCEPTANCE, authorized, "1 working day")
    await story.open_actions(authorized, plan)
    accepted = _morning(story.calendar, deadline, 1) if late else authorized + timedelta(hours=2)
    if accepted > deadline:
        await record_breach(story.session, story.case_id, ACCEPTANCE, deadline, 1, deadline)
    story.done.append(ACCEPTANCE)
    await story.event(accepted, "pathway_accepted", owner, {"late": accepted > deadline})
    return accepted


async def _active(story: _Story, published: datetime, stage: str) -> None:
    """The published pack made the case visible (store.packs.publish recorded it): active."""
    story.stage = stage
    await story.event(published, "stage", "system", {"stage": stage})


async def _recovered(story: _Story, published: datetime) -> None:
    await _active(story, published, "active-recovery")
    closed = _morning(story.calendar, published, 5) + timedelta(hours=2)
    role = Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE  # workflows.acknowledgment
    await story.close(closed, "recovered", role, ack.ACKNOWLEDGMENT_RECOVERY_LOG)
    await _resolved(story, closed)


async def _learning_case(story: _Story) -> tuple[datetime, str]:
    """Up to acceptance, awaiting the fortnightly summary; (accepted, the executive)."""
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
    pathway = {
        "pathway_type": "combined_stabilization", "responsible_owner_id": manager,
        "learning_control_implementation_deadline": _day(cal.add_working_days(authorized, 5)),
        "worker_feedback_deadline": _day(cal.add_working_days(authorized, 3)),
        "review_date": _day(cal.add_working_days(authorized, 20)),
        "direct_feedback_all_reporters_in_domain": True, "controlled_learning_bulletin": True,
        "reopened_corrective_action_review": False, "closure_criteria_redesign": False,
        "note": "Feedback to every reporter in the domain and a bulletin.",
        "_done_at": authorized}  # fmt: skip
    await story.step("stabilization-pathway", start + timedelta(hours=2), executive, pathway)
    accepted = await _accept(story, authorized, manager, False, learning_plan(pathway))
    story.stage = "awaiting-visibility"
    await story.event(accepted, "stage", "system", {"stage": "awaiting-visibility"})
    await _act(story, accepted, manager)
    return accepted, executive


async def _stabilized(story: _Story, published: datetime, executive: str) -> None:
    """Active from the fortnightly summary's publication; validated 14 days later (late)."""
    s, cal = story.session, story.calendar
    await _active(story, published, "active-stabilization")
    reviewer = await _holder(s, ls.STEPS["stabilization-validation"].role, executive)
    opens = cal.deadline("14 calendar days", published)
    await story.step("stabilization-validation", opens, reviewer, {
        "revised_recurrence_count": 0, "revised_corrective_action_completion_rate": 1.0,
        "revised_reporter_feedback_completion_rate": 0.9,
        "final_learning_visibility_status": "visible_learning_closure",
        "clearer_evidence_of_learning": True, "recurrence_below_threshold": True,
        "decision": "close", "note": "Feedback reached 9 of 10 reporters; no recurrence.",
        "_done_at": _morning(cal, opens, 3)})  # fmt: skip
    closed = _morning(cal, opens, 3) + timedelta(hours=1)
    role = Role.WORKFORCE_GOVERNANCE_REVIEWER  # workflows.learning: a validated close
    await story.close(closed, "visible_learning_closure", role, ls.LEARNING_STABILIZATION_LOG)
    await _resolved(story, closed)


async def _resolved(story: _Story, closed: datetime) -> None:
    """What makes the service's own closure credible to the month's closure review: the
    provider files its final action's evidence, and the worker, asked at the closure, answers
    the next morning that it is resolved (both keyed by the case, as the confirmation link is)."""
    s, worker = story.session, str(story.item.fields.get("employee_id"))
    await _answer(s, EVIDENCE, {
        "case_ref": story.case_id, "evidence_type": "audit",
        "evidence_ref": f"EV-{story.item.reference}", "recorded_at": closed.isoformat()},
        closed)  # fmt: skip
    answered = _morning(story.calendar, closed, 1)
    await _answer(s, CONFIRMATIONS, {
        "case_ref": story.case_id, "employee_id": worker, "confirmed": True,
        "responded_at": answered.isoformat(), "comment": None}, answered)  # fmt: skip


def _waits(stories: list[tuple[_Story, datetime, str]]) -> list[tuple[str, datetime, datetime]]:
    return [(s.item.review_id, s.opened_at, accepted) for s, accepted, _ in stories]


async def seed_cases(
    session: AsyncSession,
    calendar: BusinessCalendar,
    today: date,
    anchor: date = DEFAULT_ANCHOR,
    public_url: str = "",
) -> list[str]:
    """Two example-1 cases (one late at triage and acceptance) and one example-2 case (a late
    validation) from the oldest past reviews, old enough on ``today`` for every step to be over;
    each waits for the pack that lists it (the weekly pack of its review's week, the
    fortnightly summary of its audit's cycle), which is published, and goes on from there."""
    made: list[str] = []
    # periods old enough for a case to have run its course (about 2 and 5 weeks); the oldest
    # past cycle (store/demo_history.py) starts 42 to 55 days before today: 41 takes it even on
    # the day a cycle starts
    plan = [
        (names.EXAMPLE_ACKNOWLEDGMENT, ("critical", "emerging"), 2, names.ack_case_id, 21),
        (names.EXAMPLE_LEARNING, ("critical", "emerging"), 1, ls.learning_case_id, 41),
    ]
    waiting: dict[str, list[tuple[_Story, datetime, str]]] = {}
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
            story = _Story(
                session, calendar, case_id, example, item, review.reviewed_at, public_url=public_url
            )
            await set_review_case_ids(session, item.review_id, {item.reference: case_id})
            if example == names.EXAMPLE_ACKNOWLEDGMENT:
                accepted, who = await _acknowledgment_case(story, late=not made)
            else:
                accepted, who = await _learning_case(story)
            waiting.setdefault(example, []).append((story, accepted, who))
            made.append(case_id)
    told = [story for stories in waiting.values() for story, _, _ in stories]
    await append_in_order(session, told)  # before a pack reads the pathways' entries
    ack = waiting.get(names.EXAMPLE_ACKNOWLEDGMENT, [])
    published = await publish_for(session, _waits(ack), names.PACK_WEEKLY, calendar, anchor)
    for story, _accepted, _owner in ack:
        assert published is not None
        await _recovered(story, published)
    await append_in_order(session, told)
    learning = waiting.get(names.EXAMPLE_LEARNING, [])
    published = await publish_for(
        session, _waits(learning), names.PACK_FORTNIGHTLY, calendar, anchor
    )
    for story, _accepted, executive in learning:
        assert published is not None
        await _stabilized(story, published, executive)
    await append_in_order(session, told)
    await session.flush()
    return made
