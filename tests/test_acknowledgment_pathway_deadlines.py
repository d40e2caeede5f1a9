"""Example 1's pathway deadlines on the time-skipping server.

The recovery-pathway step's close of business, and the pathway's own action deadlines (corrected
triage-control implementation, worker communication, immediate senior acknowledgment). Each is
checked a minute before (nothing recorded), then past (a breach at the deadline, mail to the right
people, later levels every 4 working hours), then done late: escalation never completes anything.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from domain import names
from domain.acknowledgment_steps import RETENTION_DOCUMENTS
from domain.calendar import BusinessCalendar
from domain.cases import ActionDone, CaseState, PathwayAcceptance
from store.tables import Breach, Case
from tests.factories import email
from tests.test_acknowledgment_workflow import (
    TRIAGE_DOCS,
    attribution_fields,
    impact_fields,
    open_docs,
    review_and_open_case,
)
from tests.workflow_support import (
    CALENDAR,
    actor,
    case_state,
    running_worker,
    skip,
    submit,
    wait_for,
    wait_stage,
)

LONDON = BusinessCalendar(CALENDAR)
CLOSE = CALENDAR.working_day_end
EVERY = "4 working hours"  # SOURCES.md: reminders after the deadline
RECOVERY = "recovery-pathway"
RECOVERY_TITLE = "Acknowledgment-recovery pathway"
IMPLEMENTATION = "triage-control-implementation"
COMMUNICATION = "worker-communication"
SENIOR = "senior-acknowledgment"
TITLES = {
    IMPLEMENTATION: "Corrected triage-control implementation",
    COMMUNICATION: "Worker communication",
    SENIOR: "Immediate senior acknowledgment to the worker",
}


async def test_missed_recovery_pathway_escalates_until_submitted_late_then_senior_ack_is_missed(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-RPW-1")
        await _missed_recovery_pathway(own_env, sessions, inbox, case)
        today = await local_today(own_env)
        await submit_pathway(
            case,
            pathway_fields(today, immediate_senior_acknowledgment=True),
            expect_late=True,
        )
        state = await wait_stage(case, "pathway-acceptance")
        await accept(case)  # accepted in time; the senior acknowledgment itself is missed
        await _missed_senior_acknowledgment(own_env, sessions, inbox, case, state)


async def _missed_recovery_pathway(env, sessions, inbox, case) -> None:
    """Close of business of the day retention impact was accepted; the director, then the board."""
    state = await case_state(case)
    step = state.obligations[RECOVERY]
    impact_done = LONDON.local(state.obligations["retention-impact"].done_at)
    assert step.deadline == LONDON.close_of_business(impact_done)
    assert LONDON.local(step.deadline) == LONDON.wall(impact_done.date(), CLOSE)  # that same day
    await nothing_a_minute_before(env, sessions, case, RECOVERY)
    levels = escalation_instants(step.deadline, 3)
    await skip_until(env, levels[-1] + timedelta(minutes=1))
    rows = await breached(sessions, case, RECOVERY, 3)
    assert [(b.level, b.escalated_at, b.deadline) for b in rows] == [
        (n, at, step.deadline) for n, at in enumerate(levels, start=1)
    ]
    # Level 1 the step's role (the director); level 2 adds the example's director (the same
    # person, mailed once); level 3 the board.
    await received(inbox, "E-DIRECTOR", RECOVERY_TITLE, [1, 2, 3])
    await received(inbox, "E-BOARD", RECOVERY_TITLE, [3])
    assert not inbox.to(email("E-OWNER"))
    state = await case_state(case)
    assert (state.stage, state.status) == (RECOVERY, "open")
    assert state.obligations[RECOVERY].done_at is None


async def _missed_senior_acknowledgment(env, sessions, inbox, case, state: CaseState) -> None:
    """Close of business of the authorization day (here after 17:00: the next working day's)."""
    authorized = state.obligations[RECOVERY].done_at
    senior = state.obligations[f"action:{SENIOR}"]
    assert (senior.assignee, senior.role) == ("E-OWNER", None)
    assert senior.deadline == LONDON.close_of_business(authorized)
    after_close = LONDON.local(authorized)
    assert after_close.time() > CLOSE
    assert LONDON.local(senior.deadline) == LONDON.wall(
        LONDON.next_working_day(after_close.date()), CLOSE
    )
    key = f"action:{SENIOR}"
    await nothing_a_minute_before(env, sessions, case, key)
    levels = escalation_instants(senior.deadline, 2)
    await skip_until(env, levels[-1] + timedelta(minutes=1))
    rows = await breached(sessions, case, key, 2)
    assert [(b.level, b.escalated_at) for b in rows] == [(1, levels[0]), (2, levels[1])]
    await received(inbox, "E-OWNER", TITLES[SENIOR], [1, 2])  # the named owner
    await received(inbox, "E-DIRECTOR", TITLES[SENIOR], [2])  # + the director from level 2
    await complete_late_and_still_open(case, [SENIOR], "awaiting-visibility")


async def test_missed_implementation_and_worker_communication_escalate_to_the_owner(
    own_env, sqlite_url, sessions_for, smtp_server
):
    inbox, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-ACT-1")
        today = await local_today(own_env)
        first = LONDON.next_working_day(today)
        second = LONDON.next_working_day(first)
        communicate_by = LONDON.wall(first, time(12, 30))
        fields = pathway_fields(
            today,
            triage_control_implementation_deadline=second.isoformat(),  # a bare date
            worker_communication_deadline=communicate_by.isoformat(),  # an instant
        )
        await submit_pathway(case, fields, expect_late=False)
        state = await wait_stage(case, "pathway-acceptance")
        implementation = state.obligations[f"action:{IMPLEMENTATION}"]
        communication = state.obligations[f"action:{COMMUNICATION}"]
        assert implementation.deadline == LONDON.wall(second, CLOSE)  # that day's close
        assert implementation.deadline_rule == "close of business"
        assert (communication.deadline, communication.deadline_rule) == (communicate_by, "explicit")
        assert {implementation.assignee, communication.assignee} == {"E-OWNER"}
        await accept(case)

        await _missed_action(own_env, sessions, inbox, case, COMMUNICATION, communication.deadline)
        await _missed_action(
            own_env, sessions, inbox, case, IMPLEMENTATION, implementation.deadline
        )
        # Meanwhile the communication went on escalating every 4 working hours (director, board).
        due = [t for t in escalation_instants(communication.deadline, 9) if t <= await now(own_env)]
        rows = await breached(sessions, case, f"action:{COMMUNICATION}", len(due))
        assert [b.escalated_at for b in rows] == due and len(due) >= 3
        levels = list(range(1, len(due) + 1))
        await received(inbox, "E-OWNER", TITLES[COMMUNICATION], levels)
        await received(inbox, "E-DIRECTOR", TITLES[COMMUNICATION], levels[1:])
        await received(inbox, "E-BOARD", TITLES[COMMUNICATION], levels[2:])
        await complete_late_and_still_open(
            case, [COMMUNICATION, IMPLEMENTATION], "awaiting-visibility"
        )


async def _missed_action(env, sessions, inbox, case, action: str, deadline: datetime) -> None:
    """Nothing a minute before; at the deadline a level-1 breach mailed to the named owner."""
    key = f"action:{action}"
    await nothing_a_minute_before(env, sessions, case, key)
    await skip_until(env, deadline + timedelta(minutes=1))
    [row] = await breached(sessions, case, key, 1)
    assert (row.level, row.escalated_at, row.deadline) == (1, deadline, deadline)
    await received(inbox, "E-OWNER", TITLES[action], [1])
    assert not escalation_levels(inbox, "E-DIRECTOR", TITLES[action])  # level 1: owner only
    state = await case_state(case)
    assert state.obligations[key].done_at is None and state.status == "open"


async def test_completing_a_breached_action_resolves_its_breach(
    own_env, sqlite_url, sessions_for, smtp_server
):
    _, port = smtp_server
    sessions = sessions_for(sqlite_url)
    async with running_worker(own_env, sessions, smtp_port=port) as queue:
        case = await case_at_recovery_pathway(own_env, sessions, queue, "NM-RES-1")
        fields = pathway_fields(await local_today(own_env), immediate_senior_acknowledgment=True)
        await submit_pathway(case, fields, expect_late=False)
        state = await wait_stage(case, "pathway-acceptance")
        await accept(case)
        key = f"action:{SENIOR}"
        await skip_until(own_env, state.obligations[key].deadline + timedelta(minutes=1))
        await breached(sessions, case, key, 1)
        await complete_late_and_still_open(case, [SENIOR], "awaiting-visibility")

        async def resolved() -> bool:
            rows = await breaches(sessions, case, key)
            async with sessions() as session:
                row = await session.get(Case, case.id)
            return all(b.resolved_at is not None for b in rows) and row.escalation_level == 0

        await wait_for(resolved, within=3)


# -- helpers -------------------------------------------------------------------------------------


async def case_at_recovery_pathway(env, sessions, queue, reference: str):
    """A medium-impact case at the recovery-pathway step, the director's sheet opened.

    Steps 2 and 3 are done at the next 10:00 of a working day, so "close of business" of step
    3's day differs from every other rule (4 working hours, 1 working day) whenever the test runs.
    """
    case = await review_and_open_case(env, sessions, queue, reference)
    state = await wait_stage(case, "triage-attribution")
    now = LONDON.local(await env.get_current_time())
    day = now.date()
    if not LONDON.is_working_day(day) or now >= LONDON.wall(day, time(10)):
        day = LONDON.next_working_day(day)
    await skip_until(env, LONDON.wall(day, time(10)), step=timedelta(days=1))
    await open_docs(case, "E-SUPERVISOR", TRIAGE_DOCS)
    await submit(case, "triage-attribution", "E-SUPERVISOR", attribution_fields(state))
    state = await wait_stage(case, "retention-impact")
    await open_docs(case, "E-MANAGER", RETENTION_DOCUMENTS)
    await submit(case, "retention-impact", "E-MANAGER", impact_fields(state, "medium"))
    await wait_stage(case, RECOVERY)
    await open_docs(case, "E-DIRECTOR", ["reporting-control-authorization-sheet"])
    return case


def pathway_fields(today, **overrides) -> dict:
    """Recovery-pathway fields whose own deadlines lie well ahead unless overridden."""
    fields = {
        "pathway_type": "triage_control_reset",
        "responsible_owner_id": "E-OWNER",
        "triage_control_implementation_deadline": (today + timedelta(days=20)).isoformat(),
        "worker_communication_deadline": (today + timedelta(days=20)).isoformat(),
        "mandatory_review_date": (today + timedelta(days=30)).isoformat(),
        "immediate_senior_acknowledgment": False,
        "mandatory_named_owner_assignment": True,
        "temporary_daily_service_line_review": False,
        "same_day_unsafe_condition_escalation": False,
        "note": "Reset triage ownership",
    }
    return {**fields, **overrides}


async def submit_pathway(case, fields: dict, *, expect_late: bool) -> None:
    receipt = await submit(case, RECOVERY, "E-DIRECTOR", fields)
    assert receipt["late"] is expect_late


async def accept(case) -> None:
    await case.execute_update(
        names.UPDATE_ACCEPT_PATHWAY,
        PathwayAcceptance(actor=actor("E-OWNER")),
        rpc_timeout=timedelta(seconds=30),
    )
    await wait_stage(case, "awaiting-visibility")


async def complete_late_and_still_open(case, actions: list[str], stage: str) -> None:
    """Escalation completed nothing; the owner's late completion is accepted and marked late."""
    state = await case_state(case)
    assert state.stage == stage
    assert all(state.obligations[f"action:{a}"].done_at is None for a in actions)
    for action in actions:
        state = await case.execute_update(
            names.UPDATE_COMPLETE_ACTION,
            ActionDone(action=action, actor=actor("E-OWNER")),
            rpc_timeout=timedelta(seconds=30),
            result_type=CaseState,
        )
        done = state.obligations[f"action:{action}"]
        assert (done.done_by, done.late) == ("E-OWNER", True)
        assert done.done_at > done.deadline and done.level >= 1
    assert (state.stage, state.status) == (stage, "open")  # the review date is still ahead


async def now(env) -> datetime:
    return await env.get_current_time()


async def local_today(env):
    return LONDON.local(await now(env)).date()


def escalation_instants(deadline: datetime, levels: int) -> list[datetime]:
    """Level 1 at the deadline, then one every 4 working hours (the calendar's instants)."""
    instants = [deadline]
    while len(instants) < levels:
        instants.append(LONDON.deadline(EVERY, instants[-1]))
    return instants


async def skip_until(env, instant: datetime, step: timedelta = timedelta(hours=2)) -> None:
    now = await env.get_current_time()
    assert instant > now, "the server clock only moves forward"
    await skip(env, instant - now, step)


async def breaches(sessions, case, key: str) -> list[Breach]:
    async with sessions() as session:
        rows = await session.scalars(
            select(Breach)
            .where(Breach.case_id == case.id, Breach.step == key)
            .order_by(Breach.level)
        )
        return list(rows.all())


async def nothing_a_minute_before(env, sessions, case, key: str) -> None:
    """A minute before its deadline an obligation is open, unescalated, with no breach."""
    deadline = (await case_state(case)).obligations[key].deadline
    await skip_until(env, deadline - timedelta(minutes=1))
    ob = (await case_state(case)).obligations[key]
    assert (ob.level, ob.done_at, ob.next_escalation_at) == (0, None, deadline)
    assert await breaches(sessions, case, key) == []


async def breached(sessions, case, key: str, level: int) -> list[Breach]:
    """Wait until the obligation is escalated to LEVEL (state and breach rows); its breaches."""

    async def check():
        ob = (await case_state(case)).obligations[key]
        rows = await breaches(sessions, case, key)
        return ob.level >= level and len(rows) >= level and rows

    rows = await wait_for(check)
    assert len(rows) == level, [b.level for b in rows]
    return rows


def escalation_levels(inbox, who: str, title: str) -> list[int]:
    """The escalation levels of the mails WHO received about TITLE (deliveries run in parallel)."""
    levels = []
    for mail in inbox.to(email(who)):
        subject = " ".join(mail["Subject"].split())  # unfolded
        found = re.match(r"Overdue, .*\(?reminder (\d+)\)?: (.*) \(", subject)
        if found and found[2] == title:
            levels.append(int(found[1]))
    return sorted(levels)


async def received(inbox, who: str, title: str, levels: list[int]) -> None:
    """Wait for WHO's escalation mails about TITLE at LEVELS; then exactly those, no others."""

    async def arrived() -> bool:
        return set(levels) <= set(escalation_levels(inbox, who, title))

    await wait_for(arrived)
    assert escalation_levels(inbox, who, title) == levels
