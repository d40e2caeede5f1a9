"""Bench source records for ``bench.pack_data`` (not demo data): the staff directory, the incident
platform's reports and the speaking-up confidence answers as current records with their typed
columns (extracted as ingestion extracts them), each with its version."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from bench.read_data import NOW, SPAN
from domain.roles import Role
from store.source_fields import TYPED_COLUMNS, typed_from_content

STAFF_ROLES = [r.value for r in Role if r is not Role.WORKER]
_SOURCE = ("feed", "key", "version", "content", "content_hash", "received_at", *TYPED_COLUMNS)
_VERSION = ("feed", "key", "version", "content", "content_hash", "received_at")


def staff_id(n: int) -> str:
    return f"E-{n:04d}"


def _record(feed: str, key: str, content: dict[str, Any], at: datetime) -> tuple[Any, ...]:
    text = json.dumps(content, sort_keys=True)
    return (feed, key, 1, text, f"{abs(hash(text)):064d}"[-64:], at, *typed_from_content(content))


async def sources(connection: Any, schema: str, reports: int, workers: int,
                   rng: random.Random) -> int:  # fmt: skip
    """Staff directory, the incident platform's reports and confidence answers (current records,
    each with its version)."""
    rows: list[tuple[Any, ...]] = []
    for n in range(1, 301):
        roles = [STAFF_ROLES[n % len(STAFF_ROLES)], STAFF_ROLES[(n * 7) % len(STAFF_ROLES)]]
        rows.append(_record("staff-directory", staff_id(n), {
            "employee_id": staff_id(n), "display_name": f"Staff Member {n}",
            "email": f"e{n}@bench.invalid", "roles": sorted(set(roles)),
            "service_line": f"SL-{1 + n % 40}", "manager_line": f"ML-{n}", "active": True,
        }, NOW - SPAN))  # fmt: skip
    for n in range(1, workers + 1):
        left = rng.random() < 0.08
        left_at = (NOW - timedelta(days=rng.randint(1, 80))).date().isoformat() if left else None
        rows.append(_record("staff-directory", f"W-{n}", {
            "employee_id": f"W-{n}", "display_name": f"Worker {n}", "email": f"w{n}@bench.invalid",
            "roles": [Role.WORKER.value], "service_line": f"SL-{1 + n % 40}",
            "manager_line": f"ML-{1 + n % 300}", "active": not left,
            "left_at": left_at,
        }, NOW - SPAN))  # fmt: skip
    first = NOW - SPAN
    for n in range(reports):
        at = first + SPAN * (n / reports) + timedelta(minutes=rng.randint(0, 600))
        rows.append(_record("incident-platform", f"NM-{n:08d}", {
            "reference": f"NM-{n:08d}", "employee_id": f"W-{rng.randint(1, workers)}",
            "service_line": f"SL-{rng.randint(1, 40)}", "risk_domain": "falls",
            "submitted_at": at.isoformat(), "triage_status": "triaged",
        }, at))  # fmt: skip
        if n % 4 == 0:
            rows.append(_record("speaking-up-confidence-form", f"SC-{n:08d}", {
                "employee_id": f"W-{rng.randint(1, workers)}", "score": rng.randint(1, 5),
                "service_line": f"SL-{rng.randint(1, 40)}", "submitted_at": at.isoformat(),
            }, at))  # fmt: skip
        if len(rows) >= 50_000:
            await _sources_copy(connection, schema, rows)
            rows = []
    await _sources_copy(connection, schema, rows)
    return reports


async def _sources_copy(connection: Any, schema: str, rows: list[tuple[Any, ...]]) -> None:
    await copy_rows(connection, schema, "source_records", _SOURCE, rows)
    await copy_rows(connection, schema, "source_record_versions", _VERSION, [r[:6] for r in rows])


async def copy_rows(
    connection: Any, schema: str, table: str, columns: tuple[str, ...], rows: list[Any]
) -> None:
    """COPY ``rows`` into ``schema.table`` (nothing for none)."""
    if rows:
        await connection.copy_records_to_table(
            table, schema_name=schema, records=rows, columns=columns
        )
