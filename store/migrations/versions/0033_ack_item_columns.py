"""Example 1's review items stored as typed columns; their document rendered on read.

Adds the typed columns of ``store.item_fields.ACK_VALUES`` to ``review_items``: the daily
acknowledgment review writes a report's own values and its findings (the yes/no values and the
indicators as the bits of ``ack_bits``, with ``service_line`` and ``manager_line`` of 0028)
instead of building each item's JSON document, and every reader gets the document through
``ReviewItem.fields`` (``store.item_fields``), which renders it from these columns when none is
stored, byte for byte the text the review stored before. The document was ~574 of an item's
~650 bytes, written to the table and the WAL for every report (bench/RESULTS.md, "ex1m12").
Items stored before keep their document, returned as it is: nothing to backfill.

Revision ID: 0033
Revises: 0032
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | Sequence[str] | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TYPES: dict[str, Any] = {
    "submitted_at_iso": sa.Text(),
    "category_code": sa.Text(),
    "first_acknowledged_iso": sa.Text(),
    "triage_completed_iso": sa.Text(),
    "triage_status": sa.Text(),
    "client_id": sa.Text(),
    "risk_domain": sa.Text(),
    "triage_owner_id": sa.Text(),
    "ack_elapsed_min": sa.BigInteger(),
    "triage_elapsed_min": sa.BigInteger(),
    "ack_bits": sa.Integer(),
}


def upgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        for name, kind in _TYPES.items():
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    # Renders the typed items' documents into ``fields`` first (the downgraded code reads it).
    from store.item_fields import DOCUMENT_COLUMNS, ItemFields

    items = sa.table("review_items", *(sa.column(n) for n in DOCUMENT_COLUMNS))
    document = ItemFields(*(items.c[n] for n in DOCUMENT_COLUMNS))
    op.execute(
        items.update()
        .where(items.c.fields.is_(None), items.c.ack_bits.is_not(None))
        .values(fields=document)
    )
    with op.batch_alter_table("review_items") as batch:
        for name in reversed(_TYPES):
            batch.drop_column(name)
