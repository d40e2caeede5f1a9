"""GET /escalations a page at a time: the open breaches in the order the list gives them.

A partial index over the open breaches only (resolved ones are history and stay out of it), by
escalation instant, case, step and ID: a page walks one range of it from the cursor and reads
each case and step's first open breach, however many are open or were ever recorded (5,748 open
at 200k cases: bench/RESULTS.md, "Seventh session — paging").

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_breaches_open_order", "breaches", ["escalated_at", "case_id", "step", "id"],
                    postgresql_where=OPEN, sqlite_where=OPEN)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_breaches_open_order", "breaches")
