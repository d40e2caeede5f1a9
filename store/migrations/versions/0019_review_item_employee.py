"""Review items gain ``employee_id``, generated from their ``fields`` by the database, and an
index on (classification, employee_id, review_id): each worker's first weak response over five
years of reviews (the leavers trend in analytics and in the evidence pack) is read from the
index, not from every classified item's JSON document (bench/RESULTS.md, "Seventh session —
packs and the evidence pack"). The column is computed for the rows held as it is added
(PostgreSQL rewrites the table once; on SQLite it is virtual, computed as read).

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


def upgrade() -> None:
    # SQLite adds only a virtual generated column to a table that exists (computed as read).
    stored = op.get_bind().dialect.name != "sqlite"
    computed = sa.Computed("fields ->> 'employee_id'", persisted=stored)
    column = sa.Column("employee_id", sa.String(128), computed)
    op.add_column(TABLE, column)
    op.create_index(INDEX, TABLE, ["classification", "employee_id", "review_id"])


def downgrade() -> None:
    op.drop_index(INDEX, TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("employee_id")
