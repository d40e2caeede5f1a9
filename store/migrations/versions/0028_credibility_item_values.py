"""Example 3's register items stored as typed columns; their document rendered on read.

Adds the typed columns of ``store.item_fields.ITEM_VALUES`` to ``review_items`` and lets
``fields`` be NULL: the monthly closure review writes a register closure's own values and its
findings (flags, credibility reasons and yes/no answers as the bits of ``item_bits``) instead of
building each item's JSON document, and every reader gets the document through
``ReviewItem.fields`` (``store.item_fields``), which renders it from these columns when none is
stored. Items stored before keep their document, returned as it is: nothing to backfill.

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TYPES: dict[str, Any] = {
    "closure_reference": sa.Text(),
    "service_line": sa.Text(),
    "manager_line": sa.Text(),
    "closed_at_iso": sa.Text(),
    "closure_category": sa.Text(),
    "final_reviewing_role": sa.Text(),
    "last_communication_iso": sa.Text(),
    "responded_at_iso": sa.Text(),
    "reopened_at_iso": sa.Text(),
    "evidence_type": sa.Text(),
    "days_to_reopen": sa.Integer(),
    "item_bits": sa.Integer(),
}


def upgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        for name, kind in _TYPES.items():
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.alter_column("fields", existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    # Renders the typed items' documents into ``fields`` first (the downgraded code reads it).
    from store.item_fields import ItemFields

    names = ("fields", "reference", "employee_id", *_TYPES)
    items = sa.table("review_items", *(sa.column(n) for n in names))
    document = ItemFields(*(items.c[n] for n in names))
    op.execute(items.update().where(items.c.fields.is_(None)).values(fields=document))
    with op.batch_alter_table("review_items") as batch:
        batch.alter_column("fields", existing_type=sa.JSON(), nullable=False)
        for name in reversed(_TYPES):
            batch.drop_column(name)
