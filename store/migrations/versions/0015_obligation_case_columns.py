"""My work from one table: each open obligation carries its case's shown columns.

``case_open_obligations`` gains ``case_status``, ``example``, ``reference``, ``exposure`` and
``service_line`` (the projection writes them with each obligation, from the case row it
writes), so "my work" reads that table alone instead of joining ``cases``, whose open rows are
spread over years of history (bench/RESULTS.md, "Fifth session, second pass"). This revision
fills them from ``cases``.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("case_status", "status", 20),
    ("example", "example", 40),
    ("reference", "reference", 128),
    ("exposure", "exposure", 40),
    ("service_line", "service_line", 128),
)


def upgrade() -> None:
    for name, _, length in _COLUMNS:
        op.add_column("case_open_obligations", sa.Column(name, sa.String(length), nullable=True))
    cases = sa.table("cases", sa.column("case_id"), *(sa.column(c) for _, c, _ in _COLUMNS))
    owed = sa.table(
        "case_open_obligations", sa.column("case_id"), *(sa.column(n) for n, _, _ in _COLUMNS)
    )
    values = {
        name: sa.select(cases.c[column]).where(cases.c.case_id == owed.c.case_id).scalar_subquery()
        for name, column, _ in _COLUMNS
    }
    op.get_bind().execute(sa.update(owed).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("case_open_obligations") as batch:
        for name, _, _ in reversed(_COLUMNS):
            batch.drop_column(name)
