"""Examples 2 and 3: working-day deadlines across weekends and bank holidays, time-skipping.

The calendar's own tests pin the rules on fixed dates; these run the real workflows with a real
worker and check that a step opened on the working day before a bank holiday is due when the
calendar says (never on the holiday or the weekend), and that the timer honours it: nothing a
minute before, a level-1 breach mailed to the step's role just after. The server's clock starts
at the real now and only moves forward, so each test first skips to the next such day, chosen by
the calendar (from late 2026: Christmas Eve, then New Year's Day on the way, and January 2027,
whose first working day is the 4th and whose 5th is the 8th).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from email.message import Message

from sqlalchemy import select

from domain import names
from domain.calendar import BusinessCalendar, compute_deadline
from domain.credibility import credibility_case_id
from domain.credibility_steps import CREDIBILITY_ADJUDICATION, REPAIR_PATHWAY
from domain.learning_cycles import audit_period
from domain.learning_steps import LEARNING_ATTRIBUTION, STABILIZATION_PATHWAY, learning_case_id
from domain.links import obligation_path
from domain.periodic import MarkReviewed, ReviewInput, ReviewSummary
from domain.reviews import CLOSURE_REVIEW, review_id
from store.tables import Breach, OutboxMessage
from tests import credibility_support as credibility_flow
from tests import test_learning_workflow as learning_flow
from tests.factories import email, load, staff_rows
from tests.learning_factories import ATTRIBUTION_DOCS, LEARNING_STAFF, closed_report, load_closed
from tests.workflow_support import (
    CALENDAR,
    case_state,
    generated_skipping,
    running_worker,
    skip,
    wait_for,
    wait_stage,
)

LONDON = BusinessCalendar(CALENDAR)
RPC = timedelta(seconds=30)
OPENS_AT = time(15)  # mid-afternoon on the eve: the day itself is not counted


def eve_of_bank_holiday(after: date, also: Callable[[date], bool]) -> date:
    """The first working day after AFTER followed by a weekday bank holiday (and ALSO true)."""
    day = after + timedelta(days=1)
    while True:
        following = day + timedelta(days=1)
        if (
            LONDON.is_working_day(day)
            and following.weekday() < 5
            and not LONDON.is_working_day(following)
            and also(day)
        ):
            return day
        day += timedelta(days=1)


def month_after(day: date) -> date:
    first = day.replace(day=1) + timedelta(days=32)
    return first.replace(day=1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def due_day(start: date, working_days: int) -> date:
    return LONDON.add_working_days(LONDON.wall(start, time(12)), working_days).date()


def passes_a_day_off(start: date, working_days: int) -> bool:
    """Whether N working days counted from START's day pass over a weekend or bank holiday."""
    return (due_day(start, working_days) - start).days > working_days


def learning_eve(eve: date) -> bool:
    """The pathway (3 days from the attribution's deadline, 2 after EVE) passes a day off too."""
    return passes_a_day_off(due_day(eve, 2), 3)


def closure_eve(eve: date) -> bool:
    """The repair pathway (3 days from the adjudication's deadline, 3 after EVE) passes a day
    off too, and the next month's first five working days are interrupted by one."""
    fifth = LONDON.nth_working_day_of_month(LONDON.wall(month_after(eve), time(12)), 5)
    return passes_a_day_off(due_day(eve, 3), 3) and fifth.day > 5


async def skip_until(env, instant: datetime) -> None:
    now = await env.get_current_time()
    assert instant > now, "the server clock only moves forward"
    await skip(env, instant - now, step=timedelta(days=1))


def assert_skips_non_working_days(start: datetime, due: datetime, working_days: int) -> None:
    """DUE is close of business on the Nth working day after START's day, past a day off."""
    start_day, due_local = LONDON.local(start).date(), LONDON.local(due)
    days = [start_day + timedelta(days=i) for i in range(1, (due_local.date() - start_day).days)]
    assert sum(LONDON.is_working_day(d) for d in days) == working_days - 1, (start, due)
    assert any(not LONDON.is_working_day(d) for d in days), (start, due)
    assert LONDON.is_working_day(due_local.date()) and due_local.time() == time(17)


async def breaches(sessions, subject: str, step: str) -> list[Breach]:
    async with sessions() as session:
        rows = await session.scalars(
            select(Breach).where(Breach.case_id == subject, Breach.step == step)
        )
        return list(rows)


async def escalation_mails(sessions, subject: str, step: str) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"breach:{subject}:{step}:%"))
        )
        return list(rows)


def escalations(state, step: str) -> list:
    return [e for e in state.timeline if e.kind == "escalated" and e.detail["obligation"] == step]


def body_of(message: Message) -> str:
    """The text of a received mail."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


async def assert_breached_exactly_at(
    env, sessions, inbox, subject: str, step: str, deadline: datetime, person: str, case=None
) -> None:
    """No breach a minute before DEADLINE; a minute after, level 1, mailed to PERSON alone."""
    await skip_until(env, deadline - timedelta(minutes=1))
    if case is not None:
        state = await case_state(case)
        assert state.obligations[step].level == 0
        assert not escalations(state, step)
    assert await breaches(sessions, subject, step) == []
    await skip(env, timedelta(minutes=2))
    [breach] = await wait_for(lambda: breaches(sessions, subject, step))
    assert (breach.level, breach.deadline, breach.escalated_at) == (1, deadline, deadline)

    async def delivered() -> list[OutboxMessage]:
        mails = await escalation_mails(sessions, subject, step)
        return mails if mails and all(m.sent_at for m in mails) else []

    mails = await wait_for(delivered)
    assert [m.recipient for m in mails] == [email(person)]
    # Sent at server time just after the deadline: the timer fired at it, not before.
    assert timedelta(0) <= mails[0].sent_at - deadline < timedelta(minutes=1), mails[0].sent_at
    received = [(" ".join(m["Subject"].split()), m) for m in inbox.to(email(person))]
    ours = [(s, m) for s, m in received if s.endswith(f"({subject})")]
    assert [s for s, _ in ours if s.startswith("Overdue, ")] == [mails[0].subject]
    assert mails[0].subject.startswith("Overdue, reminder 1: ")
    # Both the "this is now yours" mail and the escalation link to the step's own page.
    page = obligation_path(subject, step)
    for kind in ("This is now yours", "Overdue, reminder 1: "):
        [body] = [body_of(m) for s, m in ours if s.startswith(kind)]
        assert page in body, body
    if case is not None:
        [event] = escalations(await case_state(case), step)
        assert event.detail["notified"] == [person] and event.at >= deadline


async def start_review(env, queue, example: str, period: str, policy: str):
    rid = review_id(example, period)
    inp = ReviewInput(
        review_id=rid, example=example, period=period, calendar=CALENDAR, policy_version=policy
    )
    return await env.client.start_workflow(
        names.WF_REVIEW, inp, id=rid, task_queue=queue, result_type=ReviewSummary
    )


async def generated(review) -> ReviewSummary:
    async def check() -> ReviewSummary | None:
        summary = await review.query(names.QUERY_STATE, result_type=ReviewSummary)
        return summary if summary.as_of is not None else None

    result: ReviewSummary = await wait_for(check)
    return result


async def mark_and_open_cases(review, actor) -> int:
    await review.execute_update(
        names.UPDATE_MARK_REVIEWED, MarkReviewed(actor=actor), rpc_timeout=RPC
    )
    return (await asyncio.wait_for(review.result(), 60)).cases_opened


# -- example 2 --------------------------------------------------------------------------------


async def open_learning_case_on(env, sessions, queue, eve: date, reference: str):
    """The audit of the last ended cycle, marked reviewed on EVE: the case opens that afternoon."""
    period = audit_period(eve)
    await load(sessions, "staff-directory", staff_rows(LEARNING_STAFF))
    closed = datetime.combine(date.fromisoformat(period) + timedelta(days=7), time(12), UTC)
    await load_closed(sessions, [closed_report(reference, closed_at=closed, feedback=False)])
    audit = await start_review(env, queue, names.EXAMPLE_LEARNING, period, "learning-policy-v1")
    assert (await generated_skipping(env, audit)).counts["emerging"] == 1
    assert await mark_and_open_cases(audit, learning_flow.actor("E-AUDITOR")) == 1
    return env.client.get_workflow_handle(learning_case_id(reference))


async def test_learning_steps_opened_on_the_eve_of_a_bank_holiday_fall_due_after_it(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    today = LONDON.local(await own_env.get_current_time()).date()
    eve = eve_of_bank_holiday(today, learning_eve)
    await skip_until(own_env, LONDON.wall(eve, OPENS_AT).astimezone(UTC))
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await open_learning_case_on(own_env, sessions, queue, eve, "NM-EVE-2")
        state = await wait_stage(case, LEARNING_ATTRIBUTION.slug)
        assert LONDON.local(state.opened_at).date() == eve
        due = compute_deadline(CALENDAR, LEARNING_ATTRIBUTION.deadline_rule, state.opened_at)
        assert state.obligations[LEARNING_ATTRIBUTION.slug].deadline == due.due_at
        assert_skips_non_working_days(state.opened_at, due.due_at, 2)
        await assert_breached_exactly_at(
            own_env,
            sessions,
            inbox,
            case.id,
            LEARNING_ATTRIBUTION.slug,
            due.due_at,
            "E-REGIONAL",
            case,
        )

        # Submitted late, after close of business: the pathway's 3 days count from tomorrow.
        await learning_flow.open_docs(case, "E-REGIONAL", ATTRIBUTION_DOCS)
        receipt = await learning_flow.submit(
            case, LEARNING_ATTRIBUTION.slug, "E-REGIONAL", learning_flow.attribution_fields(state)
        )
        assert receipt["late"] is True
        state = await wait_stage(case, STABILIZATION_PATHWAY.slug)
        done = state.obligations[LEARNING_ATTRIBUTION.slug].done_at
        assert LONDON.local(done).time() > time(17)
        due = compute_deadline(CALENDAR, STABILIZATION_PATHWAY.deadline_rule, done)
        assert state.obligations[STABILIZATION_PATHWAY.slug].deadline == due.due_at
        assert_skips_non_working_days(done, due.due_at, 3)
        await assert_breached_exactly_at(
            own_env,
            sessions,
            inbox,
            case.id,
            STABILIZATION_PATHWAY.slug,
            due.due_at,
            "E-EXEC",
            case,
        )


# -- example 3 --------------------------------------------------------------------------------


async def seed_closure(sessions, case_ref: str, closed_at: datetime) -> None:
    """One doubtful closure: final-action evidence, but no word from the worker."""
    await load(sessions, "staff-directory", staff_rows(credibility_flow.PEOPLE))
    await load(sessions, "closed-case-register", [credibility_flow.closed(case_ref, closed_at)])
    evidence = {
        "case_ref": case_ref,
        "evidence_type": "photo",
        "recorded_at": closed_at.isoformat(),
    }
    await load(sessions, "final-action-evidence-library", [evidence])


async def test_closure_steps_across_bank_holidays_and_the_fifth_working_day_after_one(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    today = LONDON.local(await own_env.get_current_time()).date()
    eve = eve_of_bank_holiday(today, closure_eve)
    await skip_until(own_env, LONDON.wall(eve, OPENS_AT).astimezone(UTC))
    previous = eve.replace(day=1) - timedelta(days=10)
    await seed_closure(sessions, "CC-EVE", LONDON.wall(previous, time(12)))
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        # Last month's review, marked (late) on the eve: its case opens that afternoon.
        late = await start_review(
            own_env, queue, names.EXAMPLE_CREDIBILITY, month_key(previous), "closure-policy-v1"
        )
        assert (await generated(late)).counts["doubtful"] == 1
        assert await mark_and_open_cases(late, credibility_flow.who("E-WXANALYST")) == 1
        # This month's review waits for the first working day of next month.
        monthly = await start_review(
            own_env, queue, names.EXAMPLE_CREDIBILITY, month_key(eve), "closure-policy-v1"
        )

        case = own_env.client.get_workflow_handle(credibility_case_id("CC-EVE"))
        state = await wait_stage(case, CREDIBILITY_ADJUDICATION.slug)
        assert LONDON.local(state.opened_at).date() == eve
        due = compute_deadline(CALENDAR, CREDIBILITY_ADJUDICATION.deadline_rule, state.opened_at)
        assert state.obligations[CREDIBILITY_ADJUDICATION.slug].deadline == due.due_at
        assert_skips_non_working_days(state.opened_at, due.due_at, 3)
        await assert_breached_exactly_at(
            own_env,
            sessions,
            inbox,
            case.id,
            CREDIBILITY_ADJUDICATION.slug,
            due.due_at,
            "E-QALEAD",
            case,
        )

        await credibility_flow.open_docs(case, "E-QALEAD", credibility_flow.ADJ_DOCS)
        receipt = await credibility_flow.submit(
            case,
            CREDIBILITY_ADJUDICATION.slug,
            "E-QALEAD",
            credibility_flow.adjudication(state, "doubtful"),
        )
        assert receipt["late"] is True
        state = await wait_stage(case, REPAIR_PATHWAY.slug)
        done = state.obligations[CREDIBILITY_ADJUDICATION.slug].done_at
        due = compute_deadline(CALENDAR, REPAIR_PATHWAY.deadline_rule, done)
        assert state.obligations[REPAIR_PATHWAY.slug].deadline == due.due_at
        assert_skips_non_working_days(done, due.due_at, 3)
        await assert_breached_exactly_at(
            own_env,
            sessions,
            inbox,
            case.id,
            REPAIR_PATHWAY.slug,
            due.due_at,
            "E-WXDIRECTOR",
            case,
        )

        # The monthly review: generated at 07:00 on next month's first working day, marked
        # reviewed by close of business on its 5th working day (both pushed past days off).
        first = LONDON.nth_working_day_of_month(LONDON.wall(month_after(eve), time(12)), 1)
        as_of = LONDON.wall(first.date(), time(7)).astimezone(UTC)
        now = await own_env.get_current_time()
        if now < as_of + timedelta(minutes=1):
            await skip_until(own_env, as_of + timedelta(minutes=1))
        summary = await generated(monthly)
        assert summary.as_of == as_of
        fifth = compute_deadline(CALENDAR, CLOSURE_REVIEW.reviewed_rule, as_of).due_at
        assert fifth == LONDON.nth_working_day_of_month(as_of, 5).astimezone(UTC)
        assert LONDON.local(fifth).day > 5 and LONDON.local(fifth).time() == time(17)
        await assert_breached_exactly_at(
            own_env, sessions, inbox, monthly.id, "mark-reviewed", fifth, "E-WXANALYST"
        )
