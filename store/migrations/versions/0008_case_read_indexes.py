"""Indexes for the read path at a provider group's size (bench/reads.py).

``GET /cases`` lists cases newest first with a limit: ``ix_cases_opened_at`` lets it stop after
the page instead of sorting every case ever opened. "My work" and ``GET /cases?overdue=true``
read open cases only: ``ix_cases_status_deadline``.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_opened_at", "cases", ["opened_at"])
    op.create_index("ix_cases_status_deadline", "cases", ["status", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_cases_status_deadline", table_name="cases")
    op.drop_index("ix_cases_opened_at", table_name="cases")
