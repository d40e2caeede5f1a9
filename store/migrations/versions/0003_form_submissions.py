"""The worker's page forms remember their Idempotency-Key (a retried post applies once).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("idempotency_key", sa.String(64), primary_key=True),
        sa.Column("employee_id", sa.String(128), nullable=False),
        sa.Column("feed", sa.String(60), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("form_submissions")
