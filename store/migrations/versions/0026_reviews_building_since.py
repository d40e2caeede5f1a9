"""When a review's build was first claimed, kept across the attempts that claim it again.

Each attempt of a review's generation claims its ``building`` row again and stamps
``generated_at`` with its own start, so ``nearmiss_reviews_building_oldest_age_seconds`` counted
from the latest claim: a review whose every attempt timed out never grew older than one attempt
and its backoff, and ``NearmissReviewStuckBuilding`` never fired. ``building_since`` is the first
claim's instant (``store.review_build``); the gauge's age counts from it. A row building now
starts from its latest claim, the oldest instant recorded for it.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("building_since", sa.DateTime(timezone=True)))
    op.execute("UPDATE reviews SET building_since = generated_at WHERE status = 'building'")


def downgrade() -> None:
    # Not a batch: SQLite's batch copies ``reviews`` and drops it, which its review items'
    # foreign key refuses once a review has items; SQLite (3.35+) drops the column in place.
    op.drop_column("reviews", "building_since")
