"""A partial index of the reviews being built, for ``/metrics``.

``nearmiss_reviews_building`` and the age of the oldest claim (``store.ops_metrics``) read the
reviews whose row is committed as ``building`` (PostgreSQL's multi-connection build,
``store.review_build``): a handful of rows at most, read from this index at every scrape instead
of scanning every review ever generated.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUILDING = sa.text("status = 'building'")


def upgrade() -> None:
    op.create_index("ix_reviews_building", "reviews", ["generated_at"],
                    postgresql_where=BUILDING, sqlite_where=BUILDING)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_reviews_building", "reviews")
