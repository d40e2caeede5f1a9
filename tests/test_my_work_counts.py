"""My work's counts by due band, each counted up to a cap (a range of the deadline indexes per
way of owing, not an aggregate over everything owed): equal to a Python oracle over the rows,
boundaries included, on SQLite and PostgreSQL; past the cap a band is the cap and named, and
the page and ``GET /me/work`` say "more than"."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from domain.roles import Role
from store.db import transaction
from store.my_work import BANDS, COUNT_CAP, owed_counts
from store.tables import OpenObligation
from tests.fixtures.api import ApiFactory
from tests.my_work_support import NOW, busy
from tests.web_support import sign_in, text

TODAY_ENDS, WEEK_ENDS = NOW + timedelta(hours=12), NOW + timedelta(days=7, hours=12)
ROLE = Role.NEAR_MISS_GOVERNANCE_SUPERVISOR
ROLES = frozenset({ROLE, Role.WORKFORCE_GOVERNANCE_REVIEWER})


def _band(due: datetime) -> str:
    if due <= NOW:
        return "overdue"
    if due < TODAY_ENDS:
        return "today"
    return "week" if due < WEEK_ENDS else "later"


def oracle(rows: list[OpenObligation], who: str, roles: frozenset[Role]) -> dict[str, int]:
    """What the person owes by band, from every row: open, ordered, with a deadline, owed by
    name or (nobody named) for one of their roles."""
    names = {r.value for r in roles}
    counts = dict.fromkeys(BANDS, 0)
    for o in rows:
        mine = o.assignee == who or (o.assignee is None and o.role in names)
        if mine and o.case_status == "open" and o.sort_at is not None and o.deadline is not None:
            counts[_band(o.deadline)] += 1
    return counts


def _rows(rng: random.Random) -> list[OpenObligation]:
    """Owed by name, by either role, to someone else, on closed cases, without a deadline;
    deadlines on each band's boundaries and around them."""
    edges = [NOW, TODAY_ENDS, WEEK_ENDS]
    rows = []
    for n in range(160):
        due = rng.choice(edges) + timedelta(minutes=rng.choice([-1, 0, 0, 1])) if n % 3 == 0 \
            else NOW + timedelta(hours=rng.uniform(-400, 400))  # fmt: skip
        assignee = rng.choice(["E-SUPERVISOR", "E-OTHER", None, None])
        role = rng.choice([ROLE.value, Role.WORKFORCE_GOVERNANCE_REVIEWER.value, "other", None])
        rows.append(OpenObligation(
            case_id=f"c-{n:03d}", key=f"step:{n}", role=role, assignee=assignee, title="t",
            deadline=None if n % 17 == 0 else due,
            case_status="closed" if n % 13 == 0 else "open",
            sort_at=None if n % 19 == 0 else due - timedelta(hours=rng.choice([0, 0, 5])),
            example="acknowledgment", reference=f"NM-{n}", exposure="critical",
            service_line="HC-NORTH",
        ))  # fmt: skip
    return rows


async def test_counts_by_band_are_the_oracles_up_to_the_cap(
    database_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(database_url)
    rows = _rows(random.Random(11))
    async with transaction(sessions) as session:
        session.add_all(rows)
    for who, roles in (("E-SUPERVISOR", ROLES), ("E-OTHER", frozenset({ROLE})),
                       ("E-NOBODY", frozenset())):  # fmt: skip
        expected = oracle(rows, who, roles)
        async with sessions() as session:
            exact = await owed_counts(session, who, roles, NOW, (TODAY_ENDS, WEEK_ENDS))
            assert {band: getattr(exact, band) for band in BANDS} == expected, who
            assert exact.total == sum(expected.values()) and not exact.more
            if who != "E-NOBODY":
                assert min(expected.values()) <= 5 and max(expected.values()) > 9, expected
            for cap in (1, 5, 9):
                got = await owed_counts(session, who, roles, NOW, (TODAY_ENDS, WEEK_ENDS), cap)
                assert {b: getattr(got, b) for b in BANDS} == {
                    b: min(n, cap) for b, n in expected.items()
                }, (who, cap)
                assert got.more == {b for b, n in expected.items() if n > cap}, (who, cap)
                assert got.total == sum(min(n, cap) for n in expected.values())


async def test_past_the_cap_the_page_and_the_api_say_more_than(
    sqlite_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    owed = COUNT_CAP + 110  # 13 overdue, 5 later today, 84 in 7 days, the rest (cap + 8) later
    api = await busy(sqlite_url, sessions_for, api_for, owed)
    answer = (await api.get("/me/work", "E-SUPERVISOR", params={"limit": 1})).json()["counts"]
    total = 13 + 5 + 84 + COUNT_CAP
    assert answer == {"total": total, "overdue": 13, "due_today": 5, "due_within_7_days": 84,
                      "later": COUNT_CAP, "cap": COUNT_CAP,
                      "more_than": ["total", "later"]}  # fmt: skip
    await sign_in(api, "E-SUPERVISOR")
    words = text((await api.http.get("/app")).text).replace(" ,", ",")
    assert f"more than {total:,} things waiting for you, 13 overdue" in words
    assert (
        f"more than {total:,} in all — 13 overdue, 5 due later today, 84 due in the next 7 days, "
        f"more than {COUNT_CAP:,} later. (Each is counted up to {COUNT_CAP:,}.)"
    ) in words
