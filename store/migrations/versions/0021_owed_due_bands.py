"""My work's counts by due band without counting everything owed.

Two partial indexes over the open obligations by who owes them (by name; by role when nobody is
named) and deadline: each band (overdue, later today, the next 7 days, later) is counted as one
LIMIT-ed range per way of owing, up to ``store.my_work.COUNT_CAP``, instead of an aggregate over
all of it (a busy role owes 10,301 at 200k cases, 5,245 of them overdue: bench/RESULTS.md,
"Seventh session — paging").

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "case_open_obligations"
BY_NAME = sa.text("case_status = 'open' AND sort_at IS NOT NULL")
BY_ROLE = sa.text("case_status = 'open' AND assignee IS NULL AND sort_at IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_owed_due_by_name", TABLE, ["assignee", "deadline"],
                    postgresql_where=BY_NAME, sqlite_where=BY_NAME)  # fmt: skip
    op.create_index("ix_owed_due_by_role", TABLE, ["role", "deadline"],
                    postgresql_where=BY_ROLE, sqlite_where=BY_ROLE)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_owed_due_by_role", TABLE)
    op.drop_index("ix_owed_due_by_name", TABLE)
