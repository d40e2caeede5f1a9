"""The administrator's open-pathway list, read a page at a time by case ID.

``store.pathways.open_pathway_page`` reads the open cases with a named pathway owner in case-ID
order from a keyset (``case_id > after``, ``LIMIT 25``) instead of loading every open case into
Python: a partial index of the open cases by ID gives that order without reading the closed
ones (most of the table) or sorting.

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_index("ix_cases_open_by_id", "cases", ["case_id"], postgresql_where=OPEN,
                    sqlite_where=OPEN)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_cases_open_by_id", table_name="cases")
