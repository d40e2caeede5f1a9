"""Example 3's late disputes: an index of the answers "not resolved" by feed and receipt.

A month's closure review takes again every closure whose worker answered "not resolved" after
the previous review (``store.credibility_late``): it reads those answers received since then.
Without this partial index that read scanned the whole employee-confirmation-form partition
(~120 ms at 125k answers under load; bench/RESULTS.md, "late12"); with it, the few answers
"not resolved" received since. On PostgreSQL the index is created on the partitioned table
(one per partition; only the answers' partition holds ``confirmed = false`` rows).

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_RESOLVED = sa.text("confirmed = false")  # as store.tables.NOT_RESOLVED


def upgrade() -> None:
    op.create_index(
        "ix_source_records_not_resolved",
        "source_records",
        ["feed", "received_at"],
        postgresql_where=NOT_RESOLVED,
        sqlite_where=NOT_RESOLVED,
    )


def downgrade() -> None:
    op.drop_index("ix_source_records_not_resolved", "source_records")
