"""Erasure beyond the registers, on SQLite and PostgreSQL: example 1 runs through the real API and
worker (the time-skipping server) with a reporting worker who has a name, an email, a narrative, a
speaking-up comment, a closure confirmation's comment, a triage note naming them and mails to
them; the worker is erased on request.
Then the whole database dump (sqlite3 .dump / pg_dump) holds none of their values, every register
chain verifies, the analytics figures are the same as before, and the dump taken before the
erasure held every value (the positive control)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from domain import names
from store.db import split_schema, transaction
from store.outbox import queue_message
from store.tables import OutboxMessage
from tests.api_support import CRITICAL, TRIAGE_DOCS, attribution, open_case, open_docs
from tests.factories import NAMED_WORKER, load, named_staff_rows
from tests.workflow_support import running_worker

WORKER, NAME, EMAIL = NAMED_WORKER
COMMENT = "I nearly stopped reporting after nobody answered"
NOTE = f"{NAME} was not told for three days"
DOUBT = "The hoist is still broken on my round"


def seeded_values() -> list[str]:
    """The worker's values: ID, both names and emails they were known by, and their texts."""
    return [WORKER, NAME, EMAIL, "w-100@example-care.org.uk", "Insulin nearly given twice",
            COMMENT, DOUBT]  # fmt: skip


def found_in(dump: str, values: list[str]) -> list[str]:
    """The values a dump holds as written, JSON-escaped or SQL-quoted."""

    def forms(value: str) -> set[str]:
        escaped = json.dumps(value)[1:-1]
        return {value, escaped, value.replace("'", "''"), escaped.replace("'", "''")}

    return [v for v in values if any(f in dump for f in forms(v))]


def dump(database_url: str) -> str:
    """The whole database as SQL text, by the backend's own dump tool."""
    url, schema = split_schema(database_url)
    if url.drivername.startswith("sqlite"):
        command = ["sqlite3", str(url.database), ".dump"]
    else:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        command = ["pg_dump", "--no-owner", f"--schema={schema}", plain]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout


async def _figures(api: Any, today: date) -> dict[str, Any]:
    """Every analytics figure of the months around the scenario, by service and manager line."""
    span = {"from": str(today - timedelta(days=60)), "to": str(today + timedelta(days=60))}
    figures = {}
    for path in ("acknowledgment", "triage", "learning", "closure", "workforce"):
        for group in ("service_line", "manager_line"):
            answer = await api.get(f"/analytics/{path}", "E-BOARD", params=span | {"group": group})
            assert answer.status_code == 200, answer.text
            figures[f"{path} by {group}"] = answer.json()
    return figures


async def _chains(api: Any) -> dict[str, bool]:
    registers = (await api.get("/registers", "E-INSPECTOR")).json()
    checks = {}
    for register in registers:
        answer = await api.get(f"/registers/{register['name']}/verify", "E-INSPECTOR")
        checks[register["name"]] = answer.json()["ok"]
    return checks


async def _mails(sessions: Any) -> None:
    """A mail sent to the worker and one not yet sent (as the closure reconfirmation queues)."""
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        for key in ("erasure-test:sent", "erasure-test:unsent"):
            await queue_message(
                session,
                dedupe_key=key,
                recipient=EMAIL,
                subject="Was your near miss put right?",
                body=f"Dear {NAME},\nyour report NM-CRIT-1 was closed.",
                at=now,
            )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == "erasure-test:sent")
            .values(sent_at=now)
        )


async def test_an_erased_worker_leaves_no_value_in_any_table(
    database_url, sessions, own_env, api_for
):
    await load(sessions, "staff-directory", named_staff_rows())
    async with running_worker(own_env, sessions) as queue:
        api = await api_for(database_url, temporal=own_env.client, temporal_task_queue=queue)
        case_id, view = await open_case(api, own_env, sessions)
        await load(sessions, "staff-directory", named_staff_rows())  # the seed loaded defaults
        await open_docs(api, case_id, "E-SUPERVISOR", TRIAGE_DOCS)
        url = f"/cases/{case_id}/steps/triage-attribution"
        answer = await api.post(url, "E-SUPERVISOR", json=attribution(view, note=NOTE))
        assert answer.status_code == 200, answer.text
        form = {"score": 2, "risk_domain": "medication", "comment": COMMENT}
        answer = await api.post("/forms/speaking-up-confidence", WORKER, json=form)
        assert answer.status_code == 200, answer.text
        confirm = {"case_ref": case_id, "confirmed": False, "comment": DOUBT}
        answer = await api.post("/forms/employee-confirmation", WORKER, json=confirm)
        assert answer.status_code == 200, answer.text
        await _mails(sessions)
        today = (await own_env.get_current_time()).date()
        figures = await _figures(api, today)
        before = dump(database_url)
        body = {"person": WORKER, "request_ref": "SAR-2026-031"}
        erased = await api.post("/registers/erasures", "E-ADMIN", json=body)
        assert erased.status_code == 200, erased.text
        after = dump(database_url)
        chains = await _chains(api)
        figures_after = await _figures(api, today)
        case = await api.get(f"/cases/{names.ack_case_id(CRITICAL)}", "E-SUPERVISOR")
    values = seeded_values()
    print(
        f"\nerasure: {erased.json()}; values in the dump before: {len(found_in(before, values))}"
        f" of {len(values)}, after: {found_in(after, values)}; chains {chains}; figures "
        f"{json.dumps(figures)[:400]}"
    )
    assert found_in(before, values) == values  # the scan sees each value where it is
    assert found_in(after, values) == []
    assert chains and all(chains.values()), chains
    assert "erasures" in chains and erased.json()["erased"] >= 1
    assert figures_after == figures
    assert figures["acknowledgment by service_line"], figures  # the worker's reports count
    assert case.status_code == 200 and case.json()["employee_id"].startswith("ERASED-")
    assert erased.json()["rows"]["outbox withdrawn"] == 1
    again = await api_for(database_url)
    repeat = await again.post("/registers/erasures", "E-ADMIN", json=body)
    assert repeat.json()["erased"] == 0 and repeat.json()["erasure_seq"] is None


def test_the_dump_scan_finds_escaped_and_quoted_values() -> None:
    text = "INSERT INTO t VALUES('{\"n\": \"Siobh\\u00e1n Kowalczyk\"}', 'O''Hara', 'W-100');"
    assert found_in(text, [NAME, "O'Hara", WORKER, "W-1000"]) == [NAME, "O'Hara", WORKER]
