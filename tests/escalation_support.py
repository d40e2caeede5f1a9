"""Helpers for deadline tests on the time-skipping server: breach rows, escalation levels in state
and in mail, nothing recorded a minute before a deadline and exactly one level-1 breach, mailed
to the right person, just after it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

from sqlalchemy import select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.calendar import compute_deadline
from domain.cases import CaseState
from domain.links import obligation_path
from domain.mail_words import about
from store.tables import Breach, OutboxMessage, RegisterEntry
from tests.factories import email
from tests.workflow_support import CALENDAR, LONDON, case_state, skip, skip_until, wait_for

EVERY = "4 working hours"  # SOURCES.md: reminders after the deadline


def escalation_instants(deadline: datetime, levels: int) -> list[datetime]:
    """Level 1 at the deadline, then one every 4 working hours (the calendar's instants)."""
    instants = [deadline]
    while len(instants) < levels:
        instants.append(LONDON.deadline(EVERY, instants[-1]))
    return instants


async def breaches(sessions: Any, case: Any, key: str) -> list[Breach]:
    """The breaches of obligation KEY of CASE (a workflow handle, or a case or review ID)."""
    case_id = case if isinstance(case, str) else case.id
    async with sessions() as session:
        rows = await session.scalars(
            select(Breach)
            .where(Breach.case_id == case_id, Breach.step == key)
            .order_by(Breach.level)
        )
        return list(rows.all())


async def nothing_a_minute_before(env: Any, sessions: Any, case: Any, key: str) -> None:
    """A minute before its deadline an obligation is open, unescalated, with no breach."""
    deadline = (await case_state(case)).obligations[key].deadline
    await skip_until(env, deadline - timedelta(minutes=1))
    ob = (await case_state(case)).obligations[key]
    assert (ob.level, ob.done_at, ob.next_escalation_at) == (0, None, deadline)
    assert await breaches(sessions, case, key) == []


async def breached(sessions: Any, case: Any, key: str, level: int) -> list[Breach]:
    """Wait until the obligation is escalated to LEVEL (state and breach rows); its breaches."""

    async def check() -> Any:
        ob = (await case_state(case)).obligations[key]
        rows = await breaches(sessions, case, key)
        return ob.level >= level and len(rows) >= level and rows

    rows: list[Breach] = await wait_for(check)
    assert len(rows) == level, [b.level for b in rows]
    return rows


def escalation_levels(inbox: Any, who: str, title: str) -> list[int]:
    """The escalation levels of the mails WHO received about TITLE (deliveries run in parallel)."""
    levels = []
    for mail in inbox.to(email(who)):
        subject = " ".join(mail["Subject"].split())  # unfolded
        found = re.match(r"Overdue, .*\(?reminder (\d+)\)?: (.*) \(", subject)
        if found and found[2] == title:
            levels.append(int(found[1]))
    return sorted(levels)


async def received(inbox: Any, who: str, title: str, levels: list[int]) -> None:
    """Wait for WHO's escalation mails about TITLE at LEVELS; then exactly those, no others."""

    async def arrived() -> bool:
        return set(levels) <= set(escalation_levels(inbox, who, title))

    await wait_for(arrived)
    assert escalation_levels(inbox, who, title) == levels


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
    await skip_until(env, deadline - timedelta(minutes=1), step=timedelta(days=1))
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
    # "(near miss NM-1)"; an example-3 case names its report first: "(near miss NM-…, closed
    # case CC-0002)".
    ours = [(s, m) for s, m in received if s.endswith(f"{about(subject)})")]
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


async def told_it_is_theirs(inbox: Any, who: str, title: str, case_id: str, step: str) -> str:
    """The "this is now yours" mail to WHO naming TITLE (its own, or the pathway's one mail
    listing it), linking to the review's page; its body."""
    subjects = (f"This is now yours: {title} ({about(case_id)})", "This is now yours: the ")

    async def found() -> Any:
        for mail in inbox.to(email(who)):
            subject = " ".join(mail["Subject"].split())
            body = mail.get_payload(decode=True).decode()
            if subject.startswith(subjects) and about(case_id) in subject and title in body:
                return body
        return None

    body = await wait_for(found)
    assert f"/app/cases/{case_id}/steps/{step}" in body
    return body


async def obligation(case: Any, key: str) -> Any:
    """The case's obligation KEY, or None."""
    return (await case_state(case)).obligations.get(key)


async def reopened(case: Any, key: str) -> Any:
    """The next review is open (the recorded one archived as KEY#1)."""
    state = await case_state(case)
    ob = state.obligations.get(key)
    return f"{key}#1" in state.obligations and ob is not None and ob.done_at is None and state


async def review_entries(sessions: Any, register: str, kind: str) -> list[tuple[str, str]]:
    """Who recorded which outcome, in order, in REGISTER's entries of KIND."""
    async with sessions() as session:
        rows = (
            await session.scalars(
                select(RegisterEntry)
                .where(RegisterEntry.register == register, RegisterEntry.kind == kind)
                .order_by(RegisterEntry.seq)
            )
        ).all()
    return [(e.actor, e.payload["outcome"]) for e in rows]


async def escalate_to(
    env: WorkflowEnvironment, case: WorkflowHandle[Any, Any], obligation: str, level: int
) -> CaseState:
    """Skip to just past each escalation instant the case itself names until OBLIGATION is at
    LEVEL (a fixed skip falls short when the working hours between cross a weekend or holiday)."""
    state = await case_state(case)
    while state.obligations[obligation].level < level:
        reached = state.obligations[obligation].level + 1
        due = state.obligations[obligation].next_escalation_at
        await skip_until(env, due + timedelta(minutes=1))

        async def escalated(reached: int = reached) -> CaseState | None:
            now = await case_state(case)
            return now if now.obligations[obligation].level >= reached else None

        state = await wait_for(escalated)
    return state


async def skip_past_validation_opening(
    env: WorkflowEnvironment, case: Any, after: str | None = None
) -> datetime:
    """Skip to 5 minutes past the instant the case's next validation opens, and return that
    instant: the pinned validation days (counted on local dates: N x 24 h +/- 1 h across a clock
    change) from the activation, or, for a later round, from when the step AFTER (the previous
    round's validation) was done."""

    async def baseline() -> dict[str, Any] | None:
        return (await case_state(case)).computed.get("activation-baseline")

    pinned = await wait_for(baseline)
    start = datetime.fromisoformat(pinned["activated_at"])
    if after is not None:
        done_at = (await case_state(case)).obligations[after].done_at
        assert done_at is not None, f"{after} is not done: no later round is waiting"
        start = done_at
    rule = f"{pinned['validation_days']} calendar days"
    opens = compute_deadline(CALENDAR, rule, start).due_at
    await skip_until(env, opens + timedelta(minutes=5), step=timedelta(days=1))
    return opens
