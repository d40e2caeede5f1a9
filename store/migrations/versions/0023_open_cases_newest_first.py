"""GET /cases?overdue=true without reading every overdue case.

A partial index of the open cases by opening instant and case ID: the overdue list walks it
newest first and checks each deadline until a page is full (``store.cases._overdue``), instead of
reading every open case past its deadline and sorting them (10,046 at 200k cases: bench/RESULTS.md,
"Seventh session — paging").

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_index("ix_cases_open_opened_at", "cases", ["opened_at", "case_id"],
                    postgresql_where=OPEN, sqlite_where=OPEN)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_cases_open_opened_at", "cases")
