"""A generated pack remembers what it was built from: ``packs.inputs``, a fingerprint of the rows
it reads (``store.pack_inputs``), so viewing an unpublished pack rebuilds and writes it only when
they changed; an index on ``cases.updated_at`` keeps its newest case update one index read.
Existing packs get none (NULL): each is rebuilt once, at its next view.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("packs") as batch:
        batch.add_column(sa.Column("inputs", sa.String(64), nullable=True))
    op.create_index("ix_cases_updated_at", "cases", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_updated_at", table_name="cases")
    with op.batch_alter_table("packs") as batch:
        batch.drop_column("inputs")
