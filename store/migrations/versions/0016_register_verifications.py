"""Recorded register verifications: the registers page checks only entries added since.

``register_verifications`` holds, per register, the entries verified so far (seq and hash of
the last one), the first bad entry a check found, and the last full verification (when, how
many entries, its outcome), signed by the service. Nothing to backfill: a register without a
row has not been verified yet, and its first check on the page or the schedule fills it.

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
    op.create_table(
        "register_verifications",
        sa.Column("register", sa.String(80), primary_key=True),
        sa.Column("verified_seq", sa.Integer(), nullable=False),
        sa.Column("verified_hash", sa.String(64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_bad_seq", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("found_by", sa.String(10), nullable=True),
        sa.Column("full_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("full_seq", sa.Integer(), nullable=True),
        sa.Column("full_ok", sa.Boolean(), nullable=True),
        sa.Column("signature", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("register_verifications")
