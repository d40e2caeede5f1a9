"""``GET /cases?overdue=true`` walks the open cases newest first and keeps those past their
deadline: its pages together, with and without another filter, are exactly what a Python oracle
keeps of every case (open, deadline before now, newest first, ties by case ID descending), each
once, through runs of equal opening instants; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from api.openapi_errors import NEXT_CURSOR
from store.db import transaction
from store.tables import Case
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiFactory

NOW = datetime(2026, 12, 9, 12, tzinfo=UTC)
STAGES = ("triage-attribution", "retention-impact")


def _cases(rng: random.Random) -> list[Case]:
    """Open and closed cases opened over a year (many at the same instant), deadlines before
    and after NOW (one exactly at it: not overdue) or none."""
    out = []
    for n in range(90):
        opened = NOW - timedelta(days=rng.choice([1, 2, 2, 2, 30, 200, 365]), minutes=n % 3)
        deadline = rng.choice([NOW - timedelta(hours=rng.randint(1, 900)), NOW,
                               NOW + timedelta(hours=rng.randint(1, 900)), None])  # fmt: skip
        status = "closed" if n % 4 == 0 else "open"
        out.append(Case(
            case_id=f"c-{n:03d}", example="acknowledgment", reference=f"NM-{n}", review_id="r",
            employee_id="W-100", service_line="HC-NORTH", exposure="critical",
            stage=STAGES[n % 2], status=status, assigned_role=None, assignee=None,
            deadline=deadline, escalation_level=0, opened_at=opened, updated_at=opened,
            closed_at=opened if status == "closed" else None, detail={},
        ))  # fmt: skip
    return out


def oracle(cases: list[Case], stage: str | None = None) -> list[str]:
    kept = [c for c in cases if c.status == "open" and c.deadline is not None
            and c.deadline < NOW and (stage is None or c.stage == stage)]  # fmt: skip
    return [c.case_id for c in sorted(kept, key=lambda c: (c.opened_at, c.case_id), reverse=True)]


async def pages(api: Any, params: dict[str, Any]) -> list[list[str]]:
    out, cursor = [], None
    while True:
        answer = await api.get(
            "/cases", "E-SUPERVISOR", params=params | ({"cursor": cursor} if cursor else {})
        )
        assert answer.status_code == 200, answer.text
        out.append([row["case_id"] for row in answer.json()])
        cursor = answer.headers.get(NEXT_CURSOR)
        if cursor is None:
            return out
        assert len(out) < 100


async def test_overdue_pages_are_the_oracles_each_once(
    database_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    sessions = sessions_for(database_url)
    await load(sessions, "staff-directory", staff_rows())
    cases = _cases(random.Random(23))
    async with transaction(sessions) as session:
        session.add_all(cases)
    api = await api_for(database_url)

    async def clock() -> datetime:
        return NOW

    api.app.state.clock = clock
    expected = oracle(cases)
    assert 15 < len(expected) < 60  # some of each kind left out
    assert len({c.opened_at for c in cases if c.case_id in expected}) < len(expected)  # ties
    for limit in (1, 2, 7, 500):
        got = await pages(api, {"overdue": "true", "limit": limit})
        assert [case for page in got for case in page] == expected, limit
    for stage in STAGES:
        got = await pages(api, {"overdue": "true", "stage": stage, "limit": 3})
        assert [case for page in got for case in page] == oracle(cases, stage), stage
