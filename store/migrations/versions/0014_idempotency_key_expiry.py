"""Idempotency-Keys expire: an index on ``used_at`` for the DELETE of expired keys.

The API deletes the keys used before its retention (``NEARMISS_IDEMPOTENCY_KEY_HOURS``, 24 h by
default) each time it records one; the index keeps that one statement cheap at any size.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_idempotency_keys_used_at", "idempotency_keys", ["used_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_used_at", table_name="idempotency_keys")
