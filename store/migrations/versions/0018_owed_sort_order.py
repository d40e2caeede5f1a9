"""My work a page at a time, most urgent first: each open obligation's place in the order.

``case_open_obligations`` gains ``sort_at``: the obligation's deadline, or for a pathway's
acceptance the earliest of it and its case's actions (they wait for it, so it comes first).
Two partial indexes read one page of what a person owes in that order, by name or by role,
without reading the rest (a busy role owes 10,000 at 200k cases: bench/RESULTS.md, "Sixth
session — my work and the reads bench"). This revision fills ``sort_at`` for the rows held.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "case_open_obligations"
OPEN = sa.text("case_status = 'open'")
OPEN_BY_ROLE = sa.text("case_status = 'open' AND assignee IS NULL")


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("sort_at", sa.DateTime(timezone=True), nullable=True))
    owed = sa.table(TABLE, sa.column("case_id"), sa.column("key"), sa.column("deadline"),
                    sa.column("sort_at"))  # fmt: skip
    bind = op.get_bind()
    bind.execute(sa.update(owed).values(sort_at=owed.c.deadline))
    action = owed.alias("action")
    first = (
        sa.select(sa.func.min(action.c.deadline))
        .where(action.c.case_id == owed.c.case_id, action.c.key.startswith("action:"))
        .scalar_subquery()
    )
    earlier = sa.case((first < owed.c.deadline, first), else_=owed.c.deadline)
    bind.execute(sa.update(owed).where(owed.c.key == "pathway-acceptance").values(sort_at=earlier))
    order: list[str | sa.TextClause] = ["sort_at", "case_id", sa.text("key DESC")]
    # the deadline rides in the index on PostgreSQL: the counts by due band read no table rows
    op.create_index("ix_owed_by_name", TABLE, ["assignee", *order], postgresql_include=["deadline"],
                    postgresql_where=OPEN, sqlite_where=OPEN)  # fmt: skip
    op.create_index("ix_owed_by_role", TABLE, ["role", *order], postgresql_include=["deadline"],
                    postgresql_where=OPEN_BY_ROLE, sqlite_where=OPEN_BY_ROLE)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_owed_by_role", TABLE)
    op.drop_index("ix_owed_by_name", TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("sort_at")
