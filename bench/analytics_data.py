"""Bench data for the analytics read (not demo data): five years of daily example-1 reviews whose
items are ``reports`` reports (each report in the review of the day after it was submitted), with
the fields the set-based review writes. Loaded by COPY; then each item's analytic values are
written by the step the first analytics read would run (``store.analytics_values``, timed apart);
``acknowledgment_trends`` reads them.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.pool import NullPool

from bench.common import admin, schema_url
from bench.read_data import NOW, SPAN
from domain import names
from domain.calendar import CalendarConfig, calendar_for
from store.analytics_values import ensure_values
from store.db import make_engine, make_sessionmaker, transaction
from store.tables import Base

_REVIEW_COLUMNS = (
    "review_id", "example", "period", "as_of", "generated_at", "status", "summary", "back_run",
)  # fmt: skip
_ITEM_COLUMNS = (
    "review_id", "reference", "classification", "reasons", "fields", "case_id", "employee_id"
)  # fmt: skip
_BATCH = 50_000
_CATEGORIES = ["MED-01", "MED-02", "ENV-02", "FALL-01", "EQP-03"]
_INDICATORS = [[], [], ["triage_over_threshold"], ["no_named_triage_owner", "manager_not_reviewed"]]
CLASSES = ["within_tolerance"] * 7 + ["emerging", "emerging", "critical", None]


def review_id(day: int) -> str:
    return f"ack-review-bench-{day:05d}"


def _fields(n: int, at: datetime, rng: random.Random) -> dict[str, Any]:
    ack, triage = rng.randint(1, 600), rng.randint(30, 4000)
    return {
        "reference": f"NM-{n:08d}", "employee_id": f"W-{rng.randint(1, 20_000)}",
        "service_line": f"SL-{rng.randint(1, 40)}", "manager_line": f"ML-{rng.randint(1, 200)}",
        "risk_domain": rng.choice(["falls", "medication", "equipment", "violence"]),
        "triage_owner_id": None if rng.random() < 0.05 else f"E-{rng.randint(1, 300)}",
        "submitted_at": at.isoformat(),
        "first_acknowledged_at": (at + timedelta(minutes=ack)).isoformat(),
        "triage_completed_at": (at + timedelta(minutes=triage)).isoformat(),
        "ack_elapsed_min": ack, "triage_elapsed_min": triage, "triage_status": "triaged",
        "unsafe_condition_active": rng.random() < 0.1, "manager_reviewed": rng.random() < 0.8,
        "category_code": rng.choice(_CATEGORIES), "indicators": rng.choice(_INDICATORS),
    }  # fmt: skip


async def generate(schema: str, reports: int, seed: int = 11) -> float:
    """COPY the reviews and their ``reports`` items into ``schema``; returns seconds taken."""
    rng = random.Random(seed)
    started = datetime.now(UTC)
    days = SPAN.days
    first = (NOW - SPAN).replace(hour=7, minute=0)
    connection = await admin()
    try:
        reviews = [
            (
                review_id(d),
                names.EXAMPLE_ACKNOWLEDGMENT,
                (first + timedelta(days=d)).date().isoformat(),
                first + timedelta(days=d),
                first + timedelta(days=d),
                "reviewed",
                "{}",
                False,
            )
            for d in range(1, days + 1)
        ]
        await connection.copy_records_to_table(
            "reviews", schema_name=schema, records=reviews, columns=_REVIEW_COLUMNS
        )
        items: list[tuple[Any, ...]] = []
        for n in range(reports):
            day = n * days // reports  # submitted that day, reviewed the next morning
            at = first + timedelta(days=day, minutes=rng.randint(0, 1439))
            classification = rng.choice(CLASSES)
            reasons = "[]" if classification != "emerging" else '["acknowledged late"]'
            values = _fields(n, at, rng)
            items.append((review_id(day + 1), f"NM-{n:08d}", classification, reasons,
                          json.dumps(values), None, values["employee_id"]))  # fmt: skip
            if len(items) >= _BATCH:
                await _copy(connection, schema, items)
                items = []
        await _copy(connection, schema, items)
        for table in ("reviews", "review_items"):
            await connection.execute(f'ANALYZE "{schema}".{table}')
    finally:
        await connection.close()
    took = (datetime.now(UTC) - started).total_seconds()
    print(f"values of {reports:,} items written in {await value(schema):.0f} s")
    return took


async def value(schema: str) -> float:
    """Write the analytic values of every review of ``schema`` that has none (by the default
    calendar, as the benches read); returns seconds taken."""
    started = datetime.now(UTC)
    engine = make_engine(schema_url(schema), poolclass=NullPool)
    try:
        async with engine.begin() as connection:  # (a schema kept from before the tables)
            await connection.run_sync(Base.metadata.create_all)
        async with transaction(make_sessionmaker(engine)) as session:
            first, last = (NOW - SPAN).date(), NOW.date() + timedelta(days=1)
            await ensure_values(session, first, last, calendar_for(CalendarConfig()))
    finally:
        await engine.dispose()
    connection = await admin()
    try:
        await connection.execute(f'ANALYZE "{schema}".ack_item_values')
    finally:
        await connection.close()
    return (datetime.now(UTC) - started).total_seconds()


async def _copy(connection: Any, schema: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        await connection.copy_records_to_table(
            "review_items", schema_name=schema, records=rows, columns=_ITEM_COLUMNS
        )
