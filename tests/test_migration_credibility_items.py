"""Migration 0028 on SQLite and PostgreSQL holding an example-3 review: an item stored before it
keeps its document, read through ``ReviewItem.fields`` as it was stored; an item written after
it (typed columns, no document) is rendered; its downgrade writes the rendered document into
``fields`` so the code before it reads the same item."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from domain import names
from store.db import make_engine, make_sessionmaker, transaction
from store.item_fields import ANSWER_BIT, FLAG_BIT, REASON_BIT
from store.migrate import upgrade
from store.tables import ReviewItem
from tests.credibility_support import ADDED
from tests.migration_support import downgrade_to, stored_item_fields
from tests.migration_support import empty_url as empty_url  # the fixture
from tests.stored_rows import review

REVIEW = "closure-review-2026-10"
# What the review stored for a register closure before 0028 (jsonb's key order).
STORED: dict[str, Any] = {
    "flags": ["disputed_closure"], "source": "closed-case-register", "case_ref": "CC-1",
    "closed_at": "2026-10-03T09:00:00Z", "confirmed": False, "reference": "NM-1",
    "employee_id": "W-1", "reopened_at": None, "manager_line": "ML-1", "service_line": "SL-A",
    "evidence_type": "photo", "days_to_reopen": None, "origin_example": None,
    "closure_category": "corrective_action_completed", "credibility_reasons":
    ["employee_answered_not_resolved"], "final_reviewing_role": 'a "quoted" rôle',
    "confirmation_received": True, "reopened_within_30_days": False,
    "confirmation_responded_at": "2026-10-05T10:00:00+01:00",
    "last_employee_communication_at": None,
}  # fmt: skip


# The register row's own keys (its flags replaced by the review's).
REGISTER = (
    "case_ref", "reference", "employee_id", "service_line", "manager_line", "closed_at",
    "closure_category", "final_reviewing_role", "last_employee_communication_at",
)  # fmt: skip


def _typed(reference: str) -> ReviewItem:
    """The same closure as the review writes it since 0028: typed columns, no document."""
    bits = FLAG_BIT["disputed_closure"] | REASON_BIT["employee_answered_not_resolved"]
    bits |= ANSWER_BIT["received"] | ANSWER_BIT["not_confirmed"] | ANSWER_BIT["not_within"]
    return ReviewItem(
        review_id=REVIEW, reference=reference, classification="failed", reasons=[],
        employee_id="W-1", closure_reference="NM-1", service_line="SL-A", manager_line="ML-1",
        closed_at_iso="2026-10-03T09:00:00Z", closure_category="corrective_action_completed",
        final_reviewing_role='a "quoted" rôle', responded_at_iso="2026-10-05T10:00:00+01:00",
        evidence_type="photo", item_bits=bits,
    )  # fmt: skip


async def test_stored_items_read_as_stored_and_typed_items_survive_the_downgrade(
    empty_url: str,
) -> None:
    await upgrade(empty_url, "0027")
    engine = make_engine(empty_url, poolclass=NullPool)
    try:
        at = datetime(2026, 11, 1, tzinfo=UTC)
        async with transaction(make_sessionmaker(engine)) as session:
            session.add(review(names.EXAMPLE_CREDIBILITY, "2026-10", at))
            await session.flush()
            await session.execute(
                sa.text(
                    "INSERT INTO review_items (review_id, reference, classification, reasons, "
                    "fields, employee_id) VALUES (:r, 'CC-1', 'failed', '[]', :f, 'W-1')"
                ),
                {"r": REVIEW, "f": json.dumps(STORED, ensure_ascii=False)},
            )
        stored = await stored_item_fields(empty_url)
        await upgrade(empty_url)
        assert await stored_item_fields(empty_url) == stored  # nothing rewritten
        async with transaction(make_sessionmaker(engine)) as session:
            session.add(_typed("CC-2"))
        async with make_sessionmaker(engine)() as session:
            items = (
                await session.scalars(sa.select(ReviewItem).order_by(ReviewItem.reference))
            ).all()
            cast = await session.scalars(
                sa.select(ReviewItem.fields.cast(sa.String)).order_by(ReviewItem.reference)
            )
            texts = list(cast)
        assert [i.fields for i in items] == [STORED, {**STORED, "case_ref": "CC-2"}]
        if engine.dialect.name == "postgresql":  # byte for byte what the jsonb merge stored
            assert texts[1] == texts[0].replace('"CC-1"', '"CC-2"')
        else:  # json_set on the content (keys sorted), then the review's values in their order
            assert list(items[1].fields) == [*sorted(REGISTER), *ADDED]
        await downgrade_to(empty_url, "0027")
        after = await stored_item_fields(empty_url)
        assert after["CC-1"] == stored["CC-1"]
        typed = after["CC-2"]
        assert (typed if isinstance(typed, dict) else json.loads(typed)) == {
            **STORED,
            "case_ref": "CC-2",
        }
    finally:
        await engine.dispose()
