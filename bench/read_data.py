"""Bench data for the read path (not demo data): a provider group's case projection.

``cases`` cases over five years (10% open, each open case owing one obligation to one of a few
roles, some to a named owner), ``events_per_case`` timeline events each, breaches on a third of
the open cases (levels 1-3, a quarter of them resolved) and resolved breaches on 15% of the
closed ones (history: escalations must not read it). Loaded by COPY into a bench schema. At
200k cases and 25 events each: the issue's 200k cases, 20k open obligations, 5M events.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import admin
from domain.roles import Role
from store.tables import severity_rank

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=5 * 365)
BUSY_ROLE = Role.NEAR_MISS_GOVERNANCE_SUPERVISOR
ROLES = [
    BUSY_ROLE,
    BUSY_ROLE,
    Role.WORKFORCE_RETENTION_SAFETY_CULTURE_MANAGER,
    Role.SAFETY_LEARNING_ASSURANCE_ANALYST,
    Role.DIRECTOR_SAFETY_GOVERNANCE_WORKFORCE_EXPERIENCE,
]
EXAMPLES = ["acknowledgment", "learning", "closure"]
STAGES = ["triage-attribution", "retention-impact", "recovery-pathway", "closed"]
EXPOSURES = ["emerging", "critical"]
_CASE_COLUMNS = (
    "case_id", "example", "reference", "review_id", "employee_id", "service_line", "exposure",
    "stage", "status", "assigned_role", "assignee", "deadline", "escalation_level", "opened_at",
    "updated_at", "closed_at", "detail",
)  # fmt: skip
_EVENT_COLUMNS = ("case_id", "at", "kind", "actor", "detail", "dedupe_key")
_BREACH_COLUMNS = ("case_id", "step", "deadline", "level", "escalated_at", "resolved_at")
_OBLIGATION_COLUMNS = (
    "case_id", "key", "role", "assignee", "title", "deadline",
    "case_status", "example", "reference", "exposure", "service_line", "sort_at", "severity_rank",
)  # fmt: skip
_BATCH = 20_000


def case_id(n: int) -> str:
    return f"case-{n:08d}"


def _case(n: int, rng: random.Random) -> tuple[Any, ...]:
    opened = NOW - SPAN * (1 - n / max(1, _case.total))  # type: ignore[attr-defined]
    is_open = rng.random() < 0.1
    stage = rng.choice(STAGES[:3]) if is_open else "closed"
    role = rng.choice(ROLES)
    assignee = "E-OWNER-1" if is_open and rng.random() < 0.2 else None
    deadline = NOW + timedelta(hours=rng.randint(-72, 72)) if is_open else None
    items = (
        [
            {
                "key": f"step:{stage}",
                "title": stage.replace("-", " ").capitalize(),
                "role": None if assignee else role.value,
                "assignee": assignee,
                "deadline": deadline.isoformat() if deadline else None,
            }
        ]
        if is_open
        else []
    )
    return (
        case_id(n), rng.choice(EXAMPLES), f"NM-{n:08d}", f"review-{n // 50}",
        f"W-{rng.randint(1, 20_000)}", f"SL-{rng.randint(1, 40)}", rng.choice(EXPOSURES), stage,
        "open" if is_open else "closed", None if assignee else role.value, assignee, deadline,
        0, opened, opened, None if is_open else opened + timedelta(days=20),
        json.dumps({"open": items}),
    )  # fmt: skip


async def generate(schema: str, cases: int, events_per_case: int, seed: int = 7) -> float:
    """COPY the data into ``schema``'s tables (created by the caller); returns seconds taken."""
    rng = random.Random(seed)
    _case.total = cases  # type: ignore[attr-defined]
    started = datetime.now(UTC)
    connection = await admin()
    try:
        rows: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        breaches: list[tuple[Any, ...]] = []
        owed: list[tuple[Any, ...]] = []
        for n in range(cases):
            row = _case(n, rng)
            rows.append(row)
            opened: datetime = row[13]
            for e in range(events_per_case):
                at = opened + timedelta(hours=e)
                detail = json.dumps({"step": row[7], "n": e})
                events.append((row[0], at, "stage", "system", detail, f"{row[0]}:{e}"))
            if row[8] == "open":  # as the projection keeps them (case_open_obligations)
                title = row[7].replace("-", " ").capitalize()
                case_columns = (row[8], row[1], row[2], row[6], row[5], row[11])
                owed.append(
                    (row[0], f"step:{row[7]}", row[9], row[10], title, row[11], *case_columns,
                     severity_rank(row[6]))
                )  # fmt: skip
            elif rng.random() < 0.15:  # history: breaches long resolved
                due = opened + timedelta(days=2)
                for level in range(1, rng.randint(1, 2) + 1):
                    when = due + timedelta(hours=level)
                    done = when + timedelta(days=1)
                    breaches.append((row[0], "step:triage-attribution", due, level, when, done))
            if row[8] == "open" and rng.random() < 0.33:
                for level in range(1, rng.randint(1, 3) + 1):
                    resolved = NOW if rng.random() < 0.25 else None
                    when = row[11] + timedelta(hours=level)
                    breaches.append((row[0], f"step:{row[7]}", row[11], level, when, resolved))
            if len(events) >= _BATCH * events_per_case or n == cases - 1:
                await _copy(connection, schema, "cases", _CASE_COLUMNS, rows)
                await _copy(connection, schema, "case_events", _EVENT_COLUMNS, events)
                await _copy(connection, schema, "breaches", _BREACH_COLUMNS, breaches)
                await _copy(connection, schema, "case_open_obligations", _OBLIGATION_COLUMNS, owed)
                rows, events, breaches, owed = [], [], [], []
        for table in ("cases", "case_events", "breaches", "case_open_obligations"):
            await connection.execute(f'ANALYZE "{schema}".{table}')
    finally:
        await connection.close()
    return (datetime.now(UTC) - started).total_seconds()


async def _copy(
    connection: Any, schema: str, table: str, columns: tuple[str, ...], rows: list[Any]
) -> None:
    if rows:
        await connection.copy_records_to_table(
            table, schema_name=schema, records=rows, columns=columns
        )
