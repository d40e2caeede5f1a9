"""A generated pack remembers what it was built from: ``packs.inputs``, a fingerprint of the rows
it reads (``store.pack_inputs``), so viewing an unpublished pack rebuilds and writes it only when
they changed; an index on ``cases.updated_at`` keeps its newest case update one index read.
Existing packs get none (NULL): each is rebuilt once, at its next view.

Packs and the evidence pack read a period's timeline events and register entries of a few kinds:
indexes on (kind, at) and (kind, recorded_at) make those a range over the period instead of a
scan of every event and entry ever recorded (5.5M and 2M at a provider group's size); one on
(example, opened_at, case_id) gives "the example's cases opened before" from the index alone.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("packs") as batch:
        batch.add_column(sa.Column("inputs", sa.String(64), nullable=True))
    op.create_index("ix_cases_updated_at", "cases", ["updated_at"])
    op.create_index("ix_case_events_kind_at", "case_events", ["kind", "at"])
    op.create_index("ix_cases_example_opened_at", "cases", ["example", "opened_at", "case_id"])
    op.create_index(
        "ix_register_entries_kind_recorded_at", "register_entries", ["kind", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_register_entries_kind_recorded_at", table_name="register_entries")
    op.drop_index("ix_case_events_kind_at", table_name="case_events")
    op.drop_index("ix_cases_example_opened_at", table_name="cases")
    op.drop_index("ix_cases_updated_at", table_name="cases")
    with op.batch_alter_table("packs") as batch:
        batch.drop_column("inputs")
