"""My work's order among obligations due at the same time: the most severe case first.

``case_open_obligations`` gains ``severity_rank`` (0 critical or failed, 1 emerging or
doubtful, 2 anything else; ``store.tables.SEVERITY_RANKS``), filled from the row's exposure,
and the two indexes a page of "my work" is read from (0018) order by (``sort_at``,
``severity_rank``, ``case_id``, ``key`` descending): a critical item due at 17:00 comes before
an emerging one due then, instead of both in report order.

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "case_open_obligations"
OPEN = sa.text("case_status = 'open'")
OPEN_BY_ROLE = sa.text("case_status = 'open' AND assignee IS NULL")
RANKS = {"critical": 0, "failed": 0, "emerging": 1, "doubtful": 1}  # as SEVERITY_RANKS


def _indexes(order: list[str | sa.TextClause]) -> None:
    # the deadline rides in the index on PostgreSQL: the counts by due band read no table rows
    op.create_index("ix_owed_by_name", TABLE, ["assignee", *order], postgresql_include=["deadline"],
                    postgresql_where=OPEN, sqlite_where=OPEN)  # fmt: skip
    op.create_index("ix_owed_by_role", TABLE, ["role", *order], postgresql_include=["deadline"],
                    postgresql_where=OPEN_BY_ROLE, sqlite_where=OPEN_BY_ROLE)  # fmt: skip


def upgrade() -> None:
    op.add_column(
        TABLE, sa.Column("severity_rank", sa.SmallInteger(), nullable=False, server_default="2")
    )
    owed = sa.table(TABLE, sa.column("exposure"), sa.column("severity_rank"))
    rank = sa.case(*((owed.c.exposure == e, r) for e, r in RANKS.items()), else_=2)
    op.get_bind().execute(sa.update(owed).where(owed.c.exposure.in_(list(RANKS))).values(
        severity_rank=rank))  # fmt: skip
    op.drop_index("ix_owed_by_role", TABLE)
    op.drop_index("ix_owed_by_name", TABLE)
    _indexes(["sort_at", "severity_rank", "case_id", sa.text("key DESC")])


def downgrade() -> None:
    op.drop_index("ix_owed_by_role", TABLE)
    op.drop_index("ix_owed_by_name", TABLE)
    _indexes(["sort_at", "case_id", sa.text("key DESC")])
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("severity_rank")
