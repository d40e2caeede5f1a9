"""The read path at scale: keyset paging of ``GET /cases`` (a page boundary inside a run of equal
opening instants included), escalations as one query, and "my work" from the projected
obligation rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from api.openapi_errors import NEXT_CURSOR
from domain.roles import Role
from store.breaches import open_breaches
from store.cases import sync_open_obligations
from store.db import transaction
from store.my_work import case_obligations
from store.tables import Breach, Case, OpenObligation, Review
from tests.factories import load, staff_rows
from tests.fixtures.api import ApiFactory

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _case(case_id: str, opened_at: datetime, stage: str = "triage-attribution") -> Case:
    return Case(
        case_id=case_id, example="acknowledgment", reference=case_id, review_id="r",
        employee_id="W-100", service_line="HC-NORTH", exposure="critical", stage=stage,
        status="open", assigned_role=None, assignee=None, deadline=None, escalation_level=0,
        opened_at=opened_at, updated_at=opened_at, closed_at=None, detail={},
    )  # fmt: skip


# Four cases opened at the same instant (c-2..c-5): pages of 2 split them across a boundary.
OPENED = {
    "c-1": AT - timedelta(hours=3),
    "c-2": AT,
    "c-3": AT,
    "c-4": AT,
    "c-5": AT,
    "c-6": AT + timedelta(seconds=1),
    "c-7": AT - timedelta(microseconds=1),
}
NEWEST_FIRST = ["c-6", "c-5", "c-4", "c-3", "c-2", "c-7", "c-1"]


async def _pages(api: Any, query: str) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        url = f"/cases?{query}" + (f"&cursor={cursor}" if cursor else "")
        answer = await api.get(url, "E-SUPERVISOR")
        assert answer.status_code == 200, answer.text
        pages.append([row["case_id"] for row in answer.json()])
        cursor = answer.headers.get(NEXT_CURSOR)
        if cursor is None:
            return pages
        assert len(pages) < 10


async def test_cases_page_by_cursor_through_equal_opening_instants(
    database_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    sessions = sessions_for(database_url)
    await load(sessions, "staff-directory", staff_rows())
    async with transaction(sessions) as session:
        for case_id, opened in OPENED.items():
            stage = "retention-impact" if case_id in {"c-3", "c-4", "c-7"} else "triage-attribution"
            session.add(_case(case_id, opened, stage))
    api = await api_for(database_url)
    everything = await _pages(api, "limit=500")
    assert everything == [NEWEST_FIRST]
    assert await _pages(api, "limit=2") == [["c-6", "c-5"], ["c-4", "c-3"], ["c-2", "c-7"], ["c-1"]]
    assert await _pages(api, "limit=3") == [["c-6", "c-5", "c-4"], ["c-3", "c-2", "c-7"], ["c-1"]]
    # the last page exactly full: no cursor after it (one more row is read to know)
    assert await _pages(api, "limit=7") == [NEWEST_FIRST]
    # a cursor keeps the filter's order: the retention-impact cases, one per page
    assert await _pages(api, "stage=retention-impact&limit=1") == [["c-4"], ["c-3"], ["c-7"]]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_a_bad_cursor_is_a_field_level_422(
    database_url: str, sessions_for: Any, api_for: ApiFactory
) -> None:
    await load(sessions_for(database_url), "staff-directory", staff_rows())
    api = await api_for(database_url)
    bad = [
        "not a cursor!",
        _b64(b"[1, 2, 3]"),
        _b64(b'["2026-12-01T09:00:00", "c-1"]'),  # no offset: not one we gave
        _b64(b'["yesterday", "c-1"]'),
        _b64(b'["2026-12-01T09:00:00+00:00", 7]'),
        _b64(b"\xff\xfe"),
    ]
    for cursor in bad:
        answer = await api.get("/cases", "E-SUPERVISOR", params={"cursor": cursor})
        assert answer.status_code == 422, (cursor, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == ["cursor"], cursor
    too_long = await api.get("/cases", "E-SUPERVISOR", params={"cursor": "A" * 401})
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["cursor"]


async def test_openapi_documents_the_cursor_and_the_next_cursor_header(
    sqlite_url: str, api_for: ApiFactory
) -> None:
    api = await api_for(sqlite_url)
    operation = (await api.get("/openapi.json", None)).json()["paths"]["/cases"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert NEXT_CURSOR in params["cursor"]["description"]
    assert "cursor" in operation["responses"]["200"]["headers"][NEXT_CURSOR]["description"]


def _breach(case_id: str, level: int, escalated: datetime, resolved: bool = False) -> Breach:
    return Breach(
        case_id=case_id, step="triage", deadline=AT, level=level, escalated_at=escalated,
        resolved_at=escalated if resolved else None,
    )  # fmt: skip


async def test_escalations_are_the_latest_open_level_in_order_of_first_escalation(
    database_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(database_url)
    async with transaction(sessions) as session:
        session.add(
            Review(
                review_id="rev-1", example="acknowledgment", period="2026-12-01", as_of=AT,
                generated_at=AT, status="generated", summary={},
            )
        )  # fmt: skip
        session.add_all(
            [
                _breach("c-late", 1, AT + timedelta(hours=5)),
                _breach("c-early", 1, AT + timedelta(hours=1)),
                _breach("c-early", 2, AT + timedelta(hours=9)),
                _breach("c-early", 3, AT + timedelta(hours=10)),
                _breach("rev-1", 1, AT + timedelta(hours=3)),
                _breach("c-done", 1, AT + timedelta(hours=2), resolved=True),
                _breach("c-done", 2, AT + timedelta(hours=4), resolved=True),
            ]
        )
    async with sessions() as session:
        rows = await open_breaches(session)
    assert [(r["kind"], r["case_id"], r["level"]) for r in rows] == [
        ("case", "c-early", 3), ("review", "rev-1", 1), ("case", "c-late", 1),
    ]  # fmt: skip
    assert rows[0]["escalated_at"] == AT + timedelta(hours=10)
    assert rows[0]["deadline"] == AT and rows[0]["step"] == "triage"


async def test_my_work_reads_titles_and_deadlines_the_projection_keeps(
    database_url: str, sessions_for: Any
) -> None:
    sessions = sessions_for(database_url)
    due = AT + timedelta(days=1)
    supervisor = Role.NEAR_MISS_GOVERNANCE_SUPERVISOR
    items = [
        {"key": "step:triage", "title": "Triage", "role": supervisor.value, "assignee": None,
         "deadline": due.isoformat()},
        {"key": "action:x", "title": "Call back", "role": None, "assignee": "E-OWNER",
         "deadline": (due + timedelta(hours=2)).isoformat()},
    ]  # fmt: skip
    async with transaction(sessions) as session:
        row = _case("c-1", AT)
        session.add(row)
        await session.flush()
        await sync_open_obligations(session, row, {"open": items})
    async with sessions() as session:
        stored = (await session.scalars(select(OpenObligation))).all()
        assert {(o.key, o.title, o.deadline) for o in stored} == {
            ("step:triage", "Triage", due), ("action:x", "Call back", due + timedelta(hours=2)),
        }  # fmt: skip
        mine = await case_obligations(session, "E-SUPERVISOR", frozenset({supervisor}))
        assert [(o.case.case_id, o.key, o.title, o.role, o.deadline) for o in mine] == [
            ("c-1", "step:triage", "Triage", supervisor.value, due)
        ]
        assert mine[0].case.reference == "c-1" and mine[0].case.exposure == "critical"
        owner = await case_obligations(session, "E-OWNER", frozenset({Role.WORKER}))
        assert [(o.key, o.title) for o in owner] == [("action:x", "Call back")]
