"""``GET /escalations`` a page at a time (keyset): the pages together are the open breaches at
their latest level in order of first escalation, each once, as a Python oracle computes them
from every breach row; paging stays complete and without repeats while breaches are recorded
and resolved between pages; a bad cursor or limit is a field-level 422. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from api.openapi_errors import NEXT_CURSOR
from store.db import transaction
from store.tables import Breach, Review
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiFactory

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
WHO = "E-BOARD"


def oracle(breaches: list[Breach], reviews: set[str]) -> list[dict[str, Any]]:
    """The open breaches by case and step at their latest level, first escalated first."""
    groups: dict[tuple[str, str], list[Breach]] = {}
    for b in breaches:
        if b.resolved_at is None:
            groups.setdefault((b.case_id, b.step), []).append(b)
    rows = []
    for (case_id, step), found in groups.items():
        top = max(found, key=lambda b: (b.level, b.escalated_at))
        first = min(b.escalated_at for b in found)
        rows.append((first, case_id, step, {
            "kind": "review" if case_id in reviews else "case", "case_id": case_id,
            "step": step, "deadline": top.deadline.isoformat().replace("+00:00", "Z"),
            "level": top.level, "escalated_at": top.escalated_at.isoformat().replace("+00:00", "Z"),
        }))  # fmt: skip
    return [row for *_, row in sorted(rows, key=lambda r: r[:3])]


def _random_breaches(rng: random.Random, cases: int) -> list[Breach]:
    """Cases with one or two steps, levels 1-3 each (some resolved), escalated at instants
    that often coincide (ties across cases and steps at a page boundary)."""
    out = []
    for n in range(cases):
        case_id = f"rev-{n}" if n % 7 == 0 else f"c-{n:03d}"
        for step in rng.sample(["step:a", "step:b", "step:c"], rng.randint(1, 2)):
            first = AT + timedelta(hours=rng.randint(0, 6))
            resolved = rng.random() < 0.25
            for level in range(1, rng.randint(1, 3) + 1):
                out.append(Breach(
                    case_id=case_id, step=step, deadline=AT - timedelta(days=1), level=level,
                    escalated_at=first + timedelta(hours=level - 1),
                    resolved_at=first + timedelta(days=1) if resolved else None,
                ))  # fmt: skip
    return out


async def seeded(database_url: str, sessions_for: Any, seed: int) -> tuple[Any, set[str]]:
    sessions = sessions_for(database_url)
    await load(sessions, "staff-directory", staff_rows())
    rng = random.Random(seed)
    breaches = _random_breaches(rng, 40)
    reviews = {b.case_id for b in breaches if b.case_id.startswith("rev-")}
    async with transaction(sessions) as session:
        session.add_all(breaches)
        session.add_all(
            Review(review_id=r, example="acknowledgment", period="2026-12-01", as_of=AT,
                   generated_at=AT, status="generated", summary={})
            for r in reviews
        )  # fmt: skip
    return sessions, reviews


async def every_breach(sessions: Any) -> list[Breach]:
    async with sessions() as session:
        return list((await session.scalars(select(Breach))).all())


async def pages(api: Any, limit: int, between: Any = None) -> list[list[dict[str, Any]]]:
    """Every page of ``limit``, following Next-Cursor; ``between(n)`` runs after page n."""
    out, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        answer = await api.get("/escalations", WHO, params=params)
        assert answer.status_code == 200, answer.text
        out.append(answer.json())
        cursor = answer.headers.get(NEXT_CURSOR)
        if cursor is None:
            return out
        assert len(answer.json()) == limit  # a cursor only after a full page
        if between is not None:
            await between(len(out))
        assert len(out) < 200


RAW = ("kind", "case_id", "step", "deadline", "level", "escalated_at")


def raw(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows' original fields (the words beside them are checked on their own)."""
    return [{key: row[key] for key in RAW} for row in rows]


async def test_pages_together_are_the_oracles_list_each_once(
    database_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    sessions, reviews = await seeded(database_url, sessions_for, 17)
    expected = oracle(await every_breach(sessions), reviews)
    assert len(expected) > 30 and {r["level"] for r in expected} == {1, 2, 3}
    assert {r["kind"] for r in expected} == {"case", "review"}
    api = await api_for(database_url)
    whole = (await api.get("/escalations", WHO)).json()
    assert raw(whole) == expected  # the default page (500) holds them all: no header
    assert NEXT_CURSOR not in (await api.get("/escalations", WHO)).headers
    # the words added for the dashboard: each row's page, its deadline in local time
    for row in whole:
        page = "/app/cases/" if row["kind"] == "case" else "/app/reviews/"
        assert row["href"] == page + row["case_id"] and row["deadline_words"], row
        assert row["level_words"].startswith("overdue"), row
    for limit in (1, 2, 3, 7, len(expected)):
        got = await pages(api, limit)
        assert raw([row for page in got for row in page]) == expected, limit
        assert all(len(page) == limit for page in got[:-1])


async def test_paging_while_breaches_are_recorded_and_resolved_is_complete_without_repeats(
    database_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    sessions, reviews = await seeded(database_url, sessions_for, 29)
    before = oracle(await every_breach(sessions), reviews)
    api = await api_for(database_url)
    late = AT + timedelta(days=3)

    async def meanwhile(n: int) -> None:
        async with transaction(sessions) as session:
            # a new case breached now (after every cursor), one earlier than the cursor
            session.add(Breach(case_id=f"new-{n}", step="step:a", deadline=AT, level=1,
                               escalated_at=late + timedelta(minutes=n)))  # fmt: skip
            session.add(Breach(case_id=f"old-{n}", step="step:a", deadline=AT, level=1,
                               escalated_at=AT - timedelta(days=1)))  # fmt: skip
            # the next level of a case already listed or still to come
            shown = before[(n * 5) % len(before)]
            session.add(Breach(case_id=shown["case_id"], step=shown["step"],
                               deadline=AT + timedelta(hours=n), level=3 + n,
                               escalated_at=late + timedelta(minutes=n)))  # fmt: skip
            if n == 2:  # a step done: its breaches resolved
                done = before[-1]
                await session.execute(
                    update(Breach)
                    .where(Breach.case_id == done["case_id"], Breach.step == done["step"])
                    .values(resolved_at=late)
                )

    got = [row for page in await pages(api, 4, meanwhile) for row in page]
    keys = [(r["case_id"], r["step"]) for r in got]
    assert len(keys) == len(set(keys))  # no case and step twice
    resolved = (before[-1]["case_id"], before[-1]["step"])
    wanted = {(r["case_id"], r["step"]) for r in before} - {resolved}
    assert wanted <= set(keys)  # every one open throughout is on some page
    assert not {k for k in keys if k[0].startswith("old-")}  # recorded behind the cursor
    assert {k for k in keys if k[0].startswith("new-")}  # recorded ahead of it: listed
    after = oracle(await every_breach(sessions), reviews)
    firsts = [(r["case_id"], r["step"]) for r in after]
    assert keys == [k for k in firsts if k in set(keys)]  # in the list's order


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_a_bad_cursor_or_limit_is_a_field_level_422(
    database_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    await seeded(database_url, sessions_for, 5)
    api = await api_for(database_url)
    for cursor in [
        "not a cursor!",
        _b64(b'["2026-12-01T09:00:00+00:00", "c-1"]'),  # a GET /cases cursor
        _b64(b'["2026-12-01T09:00:00", "c-1", "step:a"]'),  # no offset: not one we gave
        _b64(b'["2026-12-01T09:00:00+00:00", "c-1", 7]'),
        _b64(b"\xff\xfe"),
        "A" * 401,
    ]:
        answer = await api.get("/escalations", WHO, params={"cursor": cursor})
        assert answer.status_code == 422, (cursor, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == ["cursor"], cursor
    for limit in ("0", "501", "-3", "many"):
        answer = await api.get("/escalations", WHO, params={"limit": limit})
        assert answer.status_code == 422, (limit, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == ["limit"], limit


async def test_openapi_documents_the_page_of_escalations(
    sqlite_url: str, api_for: ApiFactory
) -> None:
    api = await api_for(sqlite_url)
    operation = (await api.get("/openapi.json", None)).json()["paths"]["/escalations"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert NEXT_CURSOR in params["cursor"]["description"]
    assert params["limit"]["schema"]["maximum"] == 500
    assert params["limit"]["schema"]["default"] == 500
    assert "cursor" in operation["responses"]["200"]["headers"][NEXT_CURSOR]["description"]
