"""The demo's past repairs (example 3): a failed and a doubtful closure of the oldest past
closure review (store/demo_history.py) carried through adjudication, the closure-repair pathway,
its acceptance and actions, the monthly board pack that made the failed one visible (published
by the example's director), the worker asked again a week before the validation, and the repair
validation 21 days after activation — written as the workflows record them (store/demo_cases.py:
timeline, signed register entries, breaches of late steps, the answers as the forms store them).

The failed closure is adjudicated a day late (a breach), repaired (confidence 2 → 4) and closed;
the doubtful one shows no measurable improvement and is closed with a minuted escalation.
History only: no workflow runs for them. Idempotent; the caller commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import credibility_steps as cs
from domain import names
from domain.calendar import BusinessCalendar
from domain.credibility import REPAIR_LOG, credibility_case_id
from domain.pack_periods import home_period
from domain.packs import PACKS
from domain.pathway_actions import credibility_plan
from domain.roles import Role
from store import packs as pack_store
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
from store.staff import get_staff
from store.tables import Case, Review, ReviewItem

# The demo's team leads (cli/demo_staff.py): the accountable owner is the closure's line's lead.
LEADS = {"HC-NORTH": "E0101", "DN-CITY": "E0111", "SL-EAST": "E0121", "HC-SOUTH": "E0131"}


def _last(story: _Story) -> datetime:
    assert story.done_at is not None
    return story.done_at


async def _to_acceptance(story: _Story, failed: bool) -> tuple[datetime, str]:
    """Adjudication, pathway, acceptance and its actions; (accepted at, owner)."""
    s, cal, fields = story.session, story.calendar, story.item.fields
    lead = await _holder(s, cs.CREDIBILITY_ADJUDICATION.role, "")
    start = story.opened_at
    source = {
        "source": "recurrence_of_original_condition" if failed else "premature_closure",
        "evidence": [{"document": "case-chronology"}, {"document": "final-action-evidence"}],
    }
    await story.step("credibility-adjudication", start, lead, {
        "confirmed_status": "failed" if failed else "doubtful", "confirmed_sources": [source],
        "days_closure_to_reopen": fields.get("days_to_reopen"),
        "repeated_doubtful_same_reviewing_role": False,
        "repeated_doubtful_same_manager_line": False, "still_relevant_to_workforce_trust": True,
        "note": "Reopened four days after closure: the hoist fault was back." if failed
        else "Closed with no final-action evidence recorded.",
        "_done_at": _morning(cal, start, 4) if failed else start + timedelta(hours=5)})  # fmt: skip
    director = await _holder(s, cs.REPAIR_PATHWAY.role, lead)
    owner = LEADS.get(str(fields.get("service_line")), director)
    if await get_staff(s, owner) is None:
        owner = director
    begun = _last(story) + timedelta(minutes=30)
    authorized = _morning(cal, begun, 1)
    pathway = {
        "pathway_type": "independent_verification" if failed else "closure_discipline_correction",
        "accountable_owner_id": owner,
        "final_corrective_deadline": _day(cal.add_working_days(authorized, 5)),
        "worker_reconnection_deadline": _day(cal.add_working_days(authorized, 2)),
        "follow_up_review_date": _day(cal.add_working_days(authorized, 8)),
        "direct_senior_safety_learning_contact": False,
        "independent_verification_of_improvement": failed,
        "reopen_reporting_control_plan": False, "wider_closure_discipline_correction": not failed,
        "note": "Independent check of the repaired hoist; the director calls the worker."
        if failed else "Closure needs evidence on file before sign-off in this line.",
        "_done_at": authorized}  # fmt: skip
    await story.step("repair-pathway", begun, director, pathway)
    deadline = await story.opens(ACCEPTANCE, authorized, "1 working day")
    await story.open_actions(authorized, credibility_plan(pathway))
    accepted = authorized + timedelta(hours=2)
    story.done.append(ACCEPTANCE)
    await story.event(accepted, "pathway_accepted", owner, {"late": accepted > deadline})
    return accepted, owner


async def _actions_done(story: _Story, accepted: datetime, owner: str) -> None:
    """The owner marks each action done on the following working days (all on time)."""
    for n, action in enumerate(list(story.actions)):
        await story.action_done(action, _morning(story.calendar, accepted, 1 + n), owner)


async def _validate(
    story: _Story, activated: datetime, scores: tuple[int, int], failed: bool
) -> datetime:
    """Worker asked again 7 days before, then the validation 21 days after activation."""
    s, cal, fields = story.session, story.calendar, story.item.fields
    worker, line = str(fields.get("employee_id")), str(fields.get("service_line"))
    case_ref = story.item.reference
    before = activated - timedelta(days=3)
    await _answer(s, "speaking-up-confidence-form", {
        "response_id": f"SU-DEMO-{case_ref}-1", "employee_id": worker, "service_line": line,
        "risk_domain": "manual_handling", "score": scores[0],
        "submitted_at": before.isoformat()}, before)  # fmt: skip
    story.stage = "awaiting-validation"
    await story.event(activated, "stage", "system", {"stage": "awaiting-validation"})
    opens = cal.deadline("21 calendar days", activated)
    asked = opens - timedelta(days=7)
    await story.event(asked, "reconfirmation_requested", "system", {"cycle": 1})
    answered = asked + timedelta(days=1, hours=2)
    await _answer(s, "employee-confirmation-form", {
        "case_ref": case_ref, "employee_id": worker, "confirmed": failed,
        "responded_at": answered.isoformat(),
        "comment": None if failed else "Nothing has changed on the ward."}, answered)  # fmt: skip
    await _answer(s, "speaking-up-confidence-form", {
        "response_id": f"SU-DEMO-{case_ref}-2", "employee_id": worker, "service_line": line,
        "risk_domain": "manual_handling", "score": scores[1],
        "submitted_at": answered.isoformat()}, answered)  # fmt: skip
    board = await _holder(s, cs.REPAIR_VALIDATION.role, "")
    improved = failed
    await story.step("repair-validation", opens, board, {
        "revised_confirmation_status": "confirmed" if failed else "not_confirmed",
        "revised_reopened_status": False, "revised_confidence_score": scores[1],
        "final_credibility_outcome": "credible" if failed else "doubtful",
        "worker_regards_resolved": failed, "repeated_doubtful_closures_remain": False,
        "decision": "close",
        "escalation_minute": None if failed else "Board minute: closure discipline in this "
        "service line escalated to the quality committee; no measurable improvement.",
        "note": "Confirmed resolved; confidence up from 2 to 4." if failed
        else "Worker still not confirming; closed with the escalation minuted.",
        "_done_at": _morning(cal, opens, 1),
        "_computed": {"baseline_score": scores[0], "measurable_improvement": improved,
                      "activated_at": activated.isoformat()}})  # fmt: skip
    closed = _last(story) + timedelta(minutes=1)
    category = "repaired" if improved else "closed_with_escalation"
    role = Role.BOARD_WORKFORCE_EXPERIENCE_REVIEWER  # workflows.credibility
    await story.close(closed, category, role, REPAIR_LOG)
    return closed


def _board_pack_time(cal: BusinessCalendar, review: Review, accepted: datetime) -> datetime:
    """Noon on the 10th of the month the review ran in (its schedule; the next working day when
    the 10th is not one), or a working day after the pathway's acceptance when that is later."""
    run = cal.local(review.as_of).date()
    day = date(run.year, run.month, 10)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    tenth = cal.wall(day, time(12)).astimezone(UTC)
    return max(tenth, _morning(cal, accepted, 1) + timedelta(hours=2))


async def seed_repairs(
    session: AsyncSession,
    calendar: BusinessCalendar,
    anchor: date,
    review_id: str,
    public_url: str = "",
) -> list[str]:
    """The failed and the doubtful closure of REVIEW_ID (a signed-off past closure review)
    carried through their repair, and the monthly board pack that made the failed one visible
    (published). Nothing when the review is missing or the cases exist. PUBLIC_URL: the
    service's address, for the links of the mails the cases sent."""
    review = await session.get(Review, review_id)
    if review is None or review.reviewed_at is None:
        return []
    items = await session.scalars(
        select(ReviewItem)
        .where(ReviewItem.review_id == review_id)
        .where(ReviewItem.classification.in_(("failed", "doubtful")))
        .order_by(ReviewItem.reference)
    )
    chosen: dict[str, ReviewItem] = {}
    for item in items:
        chosen.setdefault(str(item.classification), item)
    if len(chosen) < 2:
        return []
    if await session.get(Case, credibility_case_id(chosen["failed"].reference)) is not None:
        return []
    failed, doubtful = (
        _Story(session, calendar, credibility_case_id(i.reference), names.EXAMPLE_CREDIBILITY, i,
               review.reviewed_at, public_url=public_url)
        for i in (chosen["failed"], chosen["doubtful"])
    )  # fmt: skip
    links = {story.item.reference: story.case_id for story in (failed, doubtful)}
    await set_review_case_ids(session, review_id, links)  # as opening the cases does
    f_accepted, f_owner = await _to_acceptance(failed, True)
    failed.stage = "awaiting-visibility"  # a failed closure waits for the monthly board pack
    await failed.event(f_accepted, "stage", "system", {"stage": "awaiting-visibility"})
    d_accepted, d_owner = await _to_acceptance(doubtful, False)
    doubtful.stage = "active-repair"  # a doubtful one is active once its owner accepts
    await doubtful.event(d_accepted, "stage", "system", {"stage": "active-repair"})

    spec = PACKS[names.PACK_MONTHLY]
    period = home_period(spec.kind, review.period, review.as_of.date(), anchor)
    published = _board_pack_time(calendar, review, f_accepted)
    director = await _holder(session, spec.publisher, "")
    await append_in_order(session, [failed, doubtful])  # before the pack reads the pathways
    if await pack_store.get_pack(session, spec.kind, period) is None:
        generated = published - timedelta(hours=2)
        pack = await pack_store.create_pack(session, spec, period, [], generated, calendar, anchor)
        listed = await pack_store.awaiting_cases(session, spec, period, calendar, anchor)
        await pack_store.publish(session, spec, pack, listed, director, published, calendar,
                                 anchor)  # fmt: skip
    failed.stage = "active-repair"
    await failed.event(published, "stage", "system", {"stage": "active-repair"})
    await _actions_done(doubtful, d_accepted, d_owner)  # after the pack: it was frozen before
    await _actions_done(failed, f_accepted, f_owner)
    await _validate(doubtful, d_accepted, (3, 3), failed=False)
    await _validate(failed, published, (2, 4), failed=True)
    await append_in_order(session, [failed, doubtful])
    await session.flush()
    return [failed.case_id, doubtful.case_id]
