"""Helpers for deadline tests on the time-skipping server: breach rows, escalation levels in state
and in mail, nothing recorded a minute before a deadline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from store.tables import Breach
from tests.factories import email
from tests.workflow_support import LONDON, case_state, skip_until, wait_for

EVERY = "4 working hours"  # SOURCES.md: reminders after the deadline


def escalation_instants(deadline: datetime, levels: int) -> list[datetime]:
    """Level 1 at the deadline, then one every 4 working hours (the calendar's instants)."""
    instants = [deadline]
    while len(instants) < levels:
        instants.append(LONDON.deadline(EVERY, instants[-1]))
    return instants


async def breaches(sessions: Any, case: Any, key: str) -> list[Breach]:
    async with sessions() as session:
        rows = await session.scalars(
            select(Breach)
            .where(Breach.case_id == case.id, Breach.step == key)
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
