"""My work and My reports list what waits on a person (issue 12's page walk): every confirmation
My reports asks for, obligations found in SQL over the indexed table (filled by the migration),
and a reconfirmation asked during a repair."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy import text as text_sql

from domain.roles import Role
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade
from store.my_work import case_obligations
from store.tables import Case, OpenObligation, OutboxMessage
from tests.factories import closed_register_row, load, report_rows, staff_rows
from tests.fixtures.database import sqlite_file_url
from tests.web_support import sign_in, text


async def test_my_work_lists_every_confirmation_my_reports_asks_for(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, api_for
) -> None:
    """Old-system closures (example 3 reconfirms them) wait on the worker in My work too."""
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    closures = [closed_register_row(f"CASE-OLD-{n}", "W-100") for n in (1, 2, 3)]
    for n, row in enumerate(closures, start=1):
        row["reference"] = f"NM-OLD-{n}"
        report = report_rows(
            f"NM-OLD-{n}", submitted_at=datetime(2026, 9, n, 9, tzinfo=UTC), ack_minutes=30
        )
        await load(sessions, "incident-platform", [report["incident-platform"]])
    other = closed_register_row("CASE-OTHER", "E-OWNER")
    await load(sessions, "closed-case-register", [*closures, other])
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")
    await sign_in(api, "W-100")
    reports = await api.http.get("/app/my-reports")
    assert "3 closed reports are waiting for your answer" in text(reports.text), reports.text
    work = await api.http.get("/app")
    assert "Nothing is waiting for you" not in work.text
    for n in (1, 2, 3):
        assert f'href="/app/forms/employee-confirmation?case_ref=CASE-OLD-{n}"' in work.text
    assert "CASE-OTHER" not in work.text  # another worker's closure
    # a worker reads one plain sentence, not Due / no deadline / Escalation
    assert "Closed Thu 1 Oct, 13:00 — waiting for your answer" in text(work.text), work.text
    assert "no deadline" not in work.text and "Escalation: " not in text(work.text)
    # labelled on a phone, and without governance's exposure class (there was "Exposure —")
    assert 'data-label="Status">Closed Thu 1 Oct, 13:00' in work.text
    assert 'data-label="Exposure"' not in work.text and "—</td>" not in work.text
    await load(
        sessions,
        "employee-confirmation-form",
        [
            {
                "case_ref": "CASE-OLD-2",
                "employee_id": "W-100",
                "confirmed": True,
                "responded_at": "2026-10-02T09:00:00Z",
            }
        ],
    )
    work = await api.http.get("/app")
    assert "case_ref=CASE-OLD-2" not in work.text and "case_ref=CASE-OLD-3" in work.text
    assert "2 things waiting for you" in text(work.text)


def _open_case(case_id: str, status: str, items: list[dict[str, Any]]) -> Case:
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    return Case(
        case_id=case_id, example="acknowledgment", reference=case_id, review_id="r",
        employee_id="W-100", service_line="HC-NORTH", exposure="critical", stage="s",
        status=status, assigned_role=None, assignee=None, deadline=at, escalation_level=0,
        opened_at=at, updated_at=at, closed_at=None, detail={"open": items},
    )  # fmt: skip


DUE = datetime(2026, 12, 2, 17, tzinfo=UTC)


def _item(key: str, role: str | None, assignee: str | None) -> dict[str, Any]:
    return {
        "key": key,
        "title": key,
        "role": role,
        "assignee": assignee,
        "deadline": DUE.isoformat(),
    }


async def test_my_work_finds_obligations_in_the_database_and_the_migration_fills_them(
    tmp_path: Any,
) -> None:
    """The filter runs in SQL over an indexed table, which revisions 0007 and 0010 fill from the
    open cases' projected lists; the result is what the Python filter gave."""
    url = sqlite_file_url(tmp_path / "owed.db")
    await upgrade(url, "0006")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    supervisor = Role.NEAR_MISS_GOVERNANCE_SUPERVISOR.value
    async with sessions() as session, session.begin():
        session.add(_open_case("c-role", "open", [_item("triage-attribution", supervisor, None)]))
        session.add(
            _open_case(
                "c-owner",
                "open",
                [
                    _item("pathway-acceptance", None, "E-OWNER"),
                    _item("action:x", supervisor, "E-OWNER"),
                ],
            )
        )
        session.add(_open_case("c-closed", "closed", [_item("late", supervisor, None)]))
    await upgrade(url)  # 0007 fills case_open_obligations from the open lists
    async with sessions() as session:
        rows = set(
            (await session.execute(select(OpenObligation.case_id, OpenObligation.key))).all()
        )
        assert ("c-role", "triage-attribution") in rows and ("c-owner", "action:x") in rows
        mine = await case_obligations(session, "E-SUPERVISOR", frozenset({Role(supervisor)}))
        assert [(o.case.case_id, o.key) for o in mine] == [("c-role", "triage-attribution")]
        # 0010 fills each obligation's title and deadline from the case's open list
        assert (mine[0].title, mine[0].deadline) == ("triage-attribution", DUE)
        owner = await case_obligations(session, "E-OWNER", frozenset({Role.WORKER}))
        assert sorted((o.case.case_id, o.key) for o in owner) == [
            ("c-owner", "action:x"), ("c-owner", "pathway-acceptance"),
        ]  # fmt: skip
        plan = await session.execute(
            text_sql(
                "EXPLAIN QUERY PLAN SELECT case_id FROM case_open_obligations WHERE assignee = 'x'"
            )
        )
        assert "ix_case_open_obligations_assignee" in " ".join(str(r) for r in plan.all())
    await engine.dispose()


async def test_a_reconfirmation_during_repair_waits_in_my_work_and_my_reports(  # type: ignore[no-untyped-def]
    sqlite_url, sessions_for, api_for
) -> None:
    """Example 3 asks the worker again while a closure is repaired: an answer given before
    that request does not settle it; one given after does."""
    sessions = sessions_for(sqlite_url)
    await load(sessions, "staff-directory", staff_rows())
    closure = closed_register_row("CASE-OLD-9", "W-100")
    closure["reference"] = "NM-OLD-9"
    report = report_rows(
        "NM-OLD-9", submitted_at=datetime(2026, 9, 9, 9, tzinfo=UTC), ack_minutes=30
    )
    await load(sessions, "incident-platform", [report["incident-platform"]])
    await load(sessions, "closed-case-register", [closure])
    answer = {"case_ref": "CASE-OLD-9", "employee_id": "W-100", "confirmed": False,
              "responded_at": "2026-10-02T09:00:00Z"}  # fmt: skip
    await load(sessions, "employee-confirmation-form", [answer])
    case = _open_case("closure-case-CASE-OLD-9", "open", [])
    case.example, case.reference = "closure-credibility", "NM-OLD-9"
    asked = datetime(2026, 11, 20, 9, tzinfo=UTC)
    async with sessions() as session, session.begin():
        session.add(case)
        session.add(
            OutboxMessage(dedupe_key="reconfirmation:closure-case-CASE-OLD-9:1",
                          recipient="w-100@example-care.org.uk", subject="s", body="b",
                          created_at=asked)
        )  # fmt: skip
    api = await api_for(sqlite_url, env="development", api_host="127.0.0.1")
    await sign_in(api, "W-100")
    work = await api.http.get("/app")
    assert "Tell us again whether your near miss is resolved for you now" in text(work.text)
    assert 'href="/app/forms/employee-confirmation?case_ref=CASE-OLD-9"' in work.text
    reports = await api.http.get("/app/my-reports")
    assert "1 closed report is waiting for your answer" in text(reports.text)
    await load(sessions, "employee-confirmation-form",
               [answer | {"confirmed": True, "responded_at": "2026-11-21T10:00:00Z"}])  # fmt: skip
    work = await api.http.get("/app")
    assert "case_ref=CASE-OLD-9" not in work.text and "Nothing is waiting for you" in work.text
