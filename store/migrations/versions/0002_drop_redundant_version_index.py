"""Drop the (feed, key) index on source_record_versions.

The unique (feed, key, version) constraint's index already serves every (feed, key) look-up;
the second index only slowed each version insert (found profiling ingestion).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_source_versions_feed_key", table_name="source_record_versions")


def downgrade() -> None:
    op.create_index(
        "ix_source_versions_feed_key", "source_record_versions", ["feed", "key"], unique=False
    )
