"""Migration 0033 on SQLite and PostgreSQL holding an example-1 review: an item stored before it
keeps its document, read through ``ReviewItem.fields`` as it was stored; an item written after
it (typed columns, no document) is rendered as the same text; its downgrade writes the rendered
document into ``fields`` so the code before it reads the same item."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from domain import names
from store.db import make_engine, make_sessionmaker, transaction
from store.item_fields import ACK_CLASSIFIED, ACK_INDICATOR_BIT, ACK_YES_NO
from store.migrate import upgrade
from store.tables import ReviewItem
from tests.ack_items_support import stored_text
from tests.migration_support import downgrade_to, stored_item_fields
from tests.migration_support import empty_url as empty_url  # the fixture
from tests.stored_rows import review

REVIEW = "ack-review-2026-11-02"
# What the daily review stored for a report before 0033.
STORED: dict[str, Any] = {
    "reference": "NM-1", "employee_id": "W-1", "submitted_at": "2026-11-01T08:00:00+01:00",
    "category_code": "SLIP", "first_acknowledged_at": None,
    "triage_completed_at": "2026-11-01T12:30:00Z", "triage_status": "in_progress",
    "client_id": 'a "quoted" clïent', "risk_domain": "manual_handling", "triage_owner_id": None,
    "recurrence_risk": True, "ack_elapsed_min": 1500, "triage_elapsed_min": 270,
    "service_line": "SL-A", "manager_line": "ML-1", "unsafe_condition_active": None,
    "indicators": ["ack_over_threshold", "manager_not_reviewed"], "indicator_count": 2,
}  # fmt: skip


def _typed(reference: str) -> ReviewItem:
    """The same report as the review writes it since 0033: typed columns, no document."""
    bits = ACK_YES_NO["recurrence_risk"][0] | ACK_CLASSIFIED
    bits |= ACK_INDICATOR_BIT["ack_over_threshold"] | ACK_INDICATOR_BIT["manager_not_reviewed"]
    return ReviewItem(
        review_id=REVIEW, reference=reference, classification="emerging", reasons=[],
        employee_id="W-1", submitted_at_iso="2026-11-01T08:00:00+01:00", category_code="SLIP",
        triage_completed_iso="2026-11-01T12:30:00Z", triage_status="in_progress",
        client_id='a "quoted" clïent', risk_domain="manual_handling", ack_elapsed_min=1500,
        triage_elapsed_min=270, service_line="SL-A", manager_line="ML-1", ack_bits=bits,
    )  # fmt: skip


async def test_stored_items_read_as_stored_and_typed_items_survive_the_downgrade(
    empty_url: str,
) -> None:
    await upgrade(empty_url, "0032")
    engine = make_engine(empty_url, poolclass=NullPool)
    dialect = engine.dialect.name
    try:
        at = datetime(2026, 11, 2, 7, tzinfo=UTC)
        async with transaction(make_sessionmaker(engine)) as session:
            session.add(review(names.EXAMPLE_ACKNOWLEDGMENT, "2026-11-02", at))
            await session.flush()
            await session.execute(
                sa.text(
                    "INSERT INTO review_items (review_id, reference, classification, reasons, "
                    "fields, employee_id) VALUES (:r, 'NM-1', 'emerging', '[]', :f, 'W-1')"
                ),
                {"r": REVIEW, "f": stored_text(dialect, STORED)},
            )
        stored = await stored_item_fields(empty_url)
        await upgrade(empty_url)
        assert await stored_item_fields(empty_url) == stored  # nothing rewritten
        async with transaction(make_sessionmaker(engine)) as session:
            session.add(_typed("NM-2"))
        async with make_sessionmaker(engine)() as session:
            items = (
                await session.scalars(sa.select(ReviewItem).order_by(ReviewItem.reference))
            ).all()
            texts = list(
                await session.scalars(
                    sa.select(ReviewItem.fields.cast(sa.Text)).order_by(ReviewItem.reference)
                )
            )
        typed = {**STORED, "reference": "NM-2"}
        assert [i.fields for i in items] == [STORED, typed]
        assert list(items[1].fields) == list(STORED)  # the keys in the review's order
        assert texts == [stored_text(dialect, STORED), stored_text(dialect, typed)]
        await downgrade_to(empty_url, "0032")
        after = await stored_item_fields(empty_url)
        assert after["NM-1"] == stored["NM-1"]
        down = after["NM-2"]
        assert (down if isinstance(down, dict) else json.loads(down)) == typed
    finally:
        await engine.dispose()
