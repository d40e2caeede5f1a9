"""The example-1 analytics as they were computed before they streamed (every item loaded with its
decoded ``fields``, grouped in Python): the oracle the streaming reads are compared with, and
random review items to compare them on."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from domain.analytics import PeriodKind, group_value, period_label
from domain.calendar import BusinessCalendar
from domain.instants import instant
from store.analytics_reliability import reliability_figures
from store.analytics_triage import triage_bucket
from store.tables import Review, ReviewItem
from tests.working_hours_oracle import walked_hours

Item = tuple[str, str | None, dict[str, Any]]  # review date, classification, fields
FIRST_DAY = date(2026, 3, 10)  # the clocks go forward in London on the 29th
DAYS = 40  # more review dates than one batch reads (store.analytics_values.DATES_PER_BATCH)
TWICE = FIRST_DAY + timedelta(days=30)  # the last date of the first batch has two reviews


def _working(fields: dict[str, Any], minutes: int, cal: BusinessCalendar) -> float | None:
    start = instant(fields.get("submitted_at"))
    if start is None:
        return None
    return walked_hours(cal, start, start + timedelta(minutes=minutes))


def _median2(values: list[Any], divide: int = 1) -> float | None:
    known = [v for v in values if v is not None]
    return round(median(known) / divide, 2) if known else None


def _bucket(items: list[tuple[str | None, Any]], cal: BusinessCalendar) -> dict[str, Any]:
    counts = dict.fromkeys(("within_tolerance", "emerging", "critical"), 0)
    classified = [(c, f) for c, f in items if c is not None]
    for c, _ in classified:
        counts[c] = counts.get(c, 0) + 1
    acks = [f["ack_elapsed_min"] for _, f in classified]
    triages = [f["triage_elapsed_min"] for _, f in classified]
    return {
        "reports": len(items),
        **counts,
        "exceptions": len(items) - len(classified),
        "threshold_breaches": counts["emerging"] + counts["critical"],
        "no_named_triage_owner": sum(f.get("triage_owner_id") is None for _, f in classified),
        "median_minutes_to_first_acknowledgment": median(acks) if acks else None,
        "median_minutes_to_triage": median(triages) if triages else None,
        "median_hours_to_first_acknowledgment": _median2(acks, 60),
        "median_hours_to_triage": _median2(triages, 60),
        "median_working_hours_to_first_acknowledgment": _median2(
            [_working(f, f["ack_elapsed_min"], cal) for _, f in classified]
        ),
        "median_working_hours_to_triage": _median2(
            [_working(f, f["triage_elapsed_min"], cal) for _, f in classified]
        ),
    }


def acknowledgment_oracle(items: list[Item], group: str, cal: BusinessCalendar) -> list[Any]:
    grouped: dict[tuple[str, str], list[tuple[str | None, dict[str, Any]]]] = defaultdict(list)
    for period, classification, fields in items:
        grouped[(period, str(fields.get(group) or "unknown"))].append((classification, fields))
    return [
        {"review_date": period, group: value, **_bucket(found, cal)}
        for (period, value), found in sorted(grouped.items())
    ]


def triage_oracle(items: list[Item], group: str) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str, str], list[tuple[str | None, Any]]] = defaultdict(list)
    for period, classification, fields in items:
        if classification is not None:
            key = (period, group_value(fields.get(group)), group_value(fields.get("category_code")))
            grouped[key].append((classification, fields.get("indicators")))
    return [
        {"review_date": period, group: value, "category_code": category, **triage_bucket(found)}
        for (period, value, category), found in sorted(grouped.items())
    ]


def reliability_oracle(items: list[Item], group: str, kind: PeriodKind) -> dict[Any, Any]:
    grouped: dict[tuple[str, str], list[tuple[str | None, dict[str, Any]]]] = defaultdict(list)
    for period, classification, fields in items:
        key = (period_label(date.fromisoformat(period), kind), group_value(fields.get(group)))
        grouped[key].append((classification, fields))
    return {key: reliability_figures(found) for key, found in grouped.items()}


def _fields(n: int, day: date, rng: random.Random) -> dict[str, Any]:
    at = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(
        minutes=rng.randrange(0, 5 * 24 * 60)
    )
    fields: dict[str, Any] = {
        "reference": f"NM-{n:05d}",
        "service_line": rng.choice(["SL-A", "SL-B", "", None, "SL-C"]),
        "manager_line": rng.choice(["ML-1", "ML-2", None]),
        "risk_domain": rng.choice(["falls", "medication"]),
        "category_code": rng.choice(["MED-01", "ENV-02", None, ""]),
        "submitted_at": rng.choice([at.isoformat(), at.isoformat(), at.isoformat(), None]),
        "ack_elapsed_min": rng.choice([0, 5, 30, 61, 600, 3000, 3000, 10_000]),
        "triage_elapsed_min": rng.randrange(0, 9000),
        "triage_owner_id": rng.choice(["E-1", "E-2", None]),
        "indicators": rng.choice([None, [], ["triage_over_threshold"], ["manager_not_reviewed"]]),
    }
    for key in ("service_line", "triage_owner_id", "category_code", "indicators"):
        if rng.random() < 0.1:
            del fields[key]
    return fields


def random_items(seed: int, count: int) -> list[Item]:
    rng = random.Random(seed)
    out: list[Item] = []
    for n in range(count):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        classification = rng.choice(["within_tolerance", "emerging", "critical", None])
        out.append((day.isoformat(), classification, _fields(n, day, rng)))
    return out


def rows_of(items: list[Item], days: Sequence[int] = range(DAYS)) -> list[Any]:
    """Review and item rows holding ``items``: one example-1 review per review date of ``days``
    (offsets from FIRST_DAY), two on TWICE's."""
    rows: list[Any] = []
    for d in days:
        day = FIRST_DAY + timedelta(days=d)
        at = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
        rows.append(
            Review(
                review_id=f"ack-review-{day}",
                example="acknowledgment",
                period=day.isoformat(),
                as_of=at,
                generated_at=at,
                status="generated",
                summary={},
            )
        )
    rows.extend(
        Review(
            review_id=f"ack-review-{TWICE}-again",
            example="acknowledgment",
            period=TWICE.isoformat(),
            as_of=datetime(TWICE.year, TWICE.month, TWICE.day, 9, tzinfo=UTC),
            generated_at=datetime(TWICE.year, TWICE.month, TWICE.day, 9, tzinfo=UTC),
            status="generated",
            summary={},
        )
        for _ in range((TWICE - FIRST_DAY).days in days)
    )
    for n, (period, classification, fields) in enumerate(items):
        again = "-again" if period == TWICE.isoformat() and n % 2 else ""
        rows.append(
            ReviewItem(
                review_id=f"ack-review-{period}{again}",
                reference=fields["reference"],
                classification=classification,
                reasons=[],
                stored_fields=fields,
                employee_id=fields.get("employee_id"),
            )
        )
    return rows
