"""``GET /cases?stage=`` newest first: an index on (stage, opened_at) stops at the page.

Measured at 100k cases (bench/RESULTS.md): with only the stage index the query sorted every case
ever at that stage (p95 37x its value at 1/100 of the size).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_stage_opened_at", "cases", ["stage", "opened_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_stage_opened_at", table_name="cases")
