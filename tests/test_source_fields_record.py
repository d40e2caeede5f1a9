"""Ingestion's typed columns from a validated record (``typed_from_record``, which reads only the
fields a feed model declares) equal those of the record's stored JSON (``typed_from_content``,
the backfill's path) for every feed the factories give rows of."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from domain.feeds import FEEDS
from store.source_fields import (
    FIELDS,
    TYPED_COLUMNS,
    epoch_us,
    typed_from_content,
    typed_from_record,
)
from store.sources import record_json
from tests.analytics_support import closure_row, confirmation, evidence
from tests.factories import report_rows, staff_rows
from tests.learning_factories import closed_report

AT = datetime(2026, 11, 20, 9, 30, 0, 250, tzinfo=UTC)


def _rows() -> dict[str, list[dict[str, object]]]:
    by_feed: dict[str, list[dict[str, object]]] = {}
    for sample in (
        report_rows("NM-1", submitted_at=AT, ack_minutes=61, unsafe=True),
        report_rows("NM-2", submitted_at=AT, ack_minutes=None, owner=None),
        closed_report("NM-3", closed_at=AT, feedback=False),
        closed_report("NM-4", closed_at=AT, action=None),
        {
            "closed-case-register": closure_row("C1", 14, flags=["weak_triage"]),
            "employee-confirmation-form": confirmation("C1", True),
            "final-action-evidence-library": evidence("C1"),
        },
    ):
        for feed, row in sample.items():
            by_feed.setdefault(feed, []).append(row)
    by_feed["staff-directory"] = staff_rows()
    return by_feed


def test_every_feed_gives_the_columns_its_stored_content_gives() -> None:
    seen = set()
    for feed, rows in _rows().items():
        model = FEEDS[feed].model
        for row in rows:
            record = model(**row)
            content = json.loads(record_json(record))
            assert typed_from_record(record) == typed_from_content(content), (feed, row)
            seen |= {name for name, _ in FIELDS if content.get(name) is not None}
    # The rows reach most typed fields, instants, stamps, flags and names among them.
    assert {"submitted_at", "closed_at", "flags", "unsafe_condition_active", "employee_id"} <= seen


def test_a_plain_object_is_read_attribute_by_attribute() -> None:
    class Row:
        employee_id = "E1"
        submitted_at = "2026-11-20T10:00:00Z"

    typed = dict(zip([n for n, _ in FIELDS], typed_from_record(Row()), strict=True))
    assert typed["employee_id"] == "E1"


def test_a_record_instant_gives_the_microseconds_of_its_text() -> None:
    # typed_from_record computes an aware datetime's microseconds itself (the fast path);
    # epoch_us parses the stored text: both must agree, offsets, fractions and 1969 included.
    model = FEEDS["incident-platform"].model
    column = TYPED_COLUMNS.index("submitted_at_us")
    for text in (
        "2026-11-20T09:30:00.000250+00:00",
        "2026-03-29T01:59:59.999999+05:45",
        "1969-12-31T23:59:59.500000-03:30",
        "2026-10-25T01:30:00+01:00",
    ):
        row = report_rows("NM-9", submitted_at=AT, ack_minutes=None)["incident-platform"] | {
            "submitted_at": text
        }
        record = model.model_validate_json(json.dumps(row), strict=True)
        assert typed_from_record(record)[column] == epoch_us(text), text
