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

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain import names
from domain.calendar import compute_deadline
from domain.credibility import credibility_case_id
from domain.credibility_steps import CREDIBILITY_ADJUDICATION, REPAIR_PATHWAY
from domain.learning_steps import LEARNING_ATTRIBUTION, STABILIZATION_PATHWAY
from domain.reviews import CLOSURE_REVIEW
from tests import credibility_support as credibility_flow
from tests import learning_support as learning_flow
from tests.deadline_support import (
    generated,
    mark_and_open_cases,
    month_key,
    open_learning_case_on,
    seed_closure,
    start_review,
)
from tests.escalation_support import assert_breached_exactly_at
from tests.learning_factories import ATTRIBUTION_DOCS
from tests.workflow_support import (
    CALENDAR,
    LONDON,
    eve_of_bank_holiday,
    running_worker,
    skip_until,
    wait_stage,
)

pytestmark = pytest.mark.dated  # run again as of a risky start date (make test-dated)

OPENS_AT = time(15)  # mid-afternoon on the eve: the day itself is not counted


def month_after(day: date) -> date:
    first = day.replace(day=1) + timedelta(days=32)
    return first.replace(day=1)


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


def assert_skips_non_working_days(start: datetime, due: datetime, working_days: int) -> None:
    """DUE is close of business on the Nth working day after START's day, past a day off."""
    start_day, due_local = LONDON.local(start).date(), LONDON.local(due)
    days = [start_day + timedelta(days=i) for i in range(1, (due_local.date() - start_day).days)]
    assert sum(LONDON.is_working_day(d) for d in days) == working_days - 1, (start, due)
    assert any(not LONDON.is_working_day(d) for d in days), (start, due)
    assert LONDON.is_working_day(due_local.date()) and due_local.time() == time(17)


# -- example 2 --------------------------------------------------------------------------------


async def test_learning_steps_opened_on_the_eve_of_a_bank_holiday_fall_due_after_it(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    today = LONDON.local(await own_env.get_current_time()).date()
    eve = eve_of_bank_holiday(today, learning_eve)
    await skip_until(own_env, LONDON.wall(eve, OPENS_AT).astimezone(UTC), step=timedelta(days=1))
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


async def _steps_2_and_3_due_past_days_off(env, sessions, inbox, eve: date) -> None:
    """The case opened on EVE: adjudication and repair pathway each due 3 working days on, past a
    day off, breached exactly then and mailed to their role."""
    case = env.client.get_workflow_handle(credibility_case_id("CC-EVE"))
    state = await wait_stage(case, CREDIBILITY_ADJUDICATION.slug)
    assert LONDON.local(state.opened_at).date() == eve
    due = compute_deadline(CALENDAR, CREDIBILITY_ADJUDICATION.deadline_rule, state.opened_at)
    assert state.obligations[CREDIBILITY_ADJUDICATION.slug].deadline == due.due_at
    assert_skips_non_working_days(state.opened_at, due.due_at, 3)
    await assert_breached_exactly_at(
        env,
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
        env,
        sessions,
        inbox,
        case.id,
        REPAIR_PATHWAY.slug,
        due.due_at,
        "E-WXDIRECTOR",
        case,
    )


async def test_closure_steps_across_bank_holidays_and_the_fifth_working_day_after_one(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    today = LONDON.local(await own_env.get_current_time()).date()
    eve = eve_of_bank_holiday(today, closure_eve)
    await skip_until(own_env, LONDON.wall(eve, OPENS_AT).astimezone(UTC), step=timedelta(days=1))
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

        await _steps_2_and_3_due_past_days_off(own_env, sessions, inbox, eve)

        # The monthly review: generated at 07:00 on next month's first working day, marked
        # reviewed by close of business on its 5th working day (both pushed past days off).
        first = LONDON.nth_working_day_of_month(LONDON.wall(month_after(eve), time(12)), 1)
        as_of = LONDON.wall(first.date(), time(7)).astimezone(UTC)
        now = await own_env.get_current_time()
        if now < as_of + timedelta(minutes=1):
            await skip_until(own_env, as_of + timedelta(minutes=1), step=timedelta(days=1))
        summary = await generated(monthly)
        assert summary.as_of == as_of
        fifth = compute_deadline(CALENDAR, CLOSURE_REVIEW.reviewed_rule, as_of).due_at
        assert fifth == LONDON.nth_working_day_of_month(as_of, 5).astimezone(UTC)
        assert LONDON.local(fifth).day > 5 and LONDON.local(fifth).time() == time(17)
        await assert_breached_exactly_at(
            own_env, sessions, inbox, monthly.id, "mark-reviewed", fifth, "E-WXANALYST"
        )
