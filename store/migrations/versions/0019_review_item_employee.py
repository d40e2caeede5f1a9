"""Review items gain ``employee_id`` (their ``fields``' employee_id as text, filled for the rows
held) and a partial index over the weak ones on (classification, employee_id, review_id): each
worker's first weak response over five years of reviews (the leavers trend in analytics and in
the evidence pack) is read from the index, not from every classified item's JSON document
(bench/RESULTS.md, "Seventh session — packs and the evidence pack"). The reviews write the
column from the typed source columns; only weak items (about one in six) get an index entry.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "review_items"
INDEX = "ix_review_items_exposed"
# store.tables.WEAK_ITEM as it was written here (a migration does not follow later models)
WEAK_ITEM = "classification IN ('emerging', 'critical', 'doubtful', 'failed')"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("employee_id", sa.String(128), nullable=True))
    # ``->>`` reads a member as text on PostgreSQL (json) and SQLite (3.38 and later)
    op.execute(f"UPDATE {TABLE} SET employee_id = fields ->> 'employee_id'")
    op.create_index(
        INDEX,
        TABLE,
        ["classification", "employee_id", "review_id"],
        postgresql_where=sa.text(WEAK_ITEM),
        sqlite_where=sa.text(WEAK_ITEM),
    )


def downgrade() -> None:
    op.drop_index(INDEX, TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("employee_id")
