"""Registers chain over salted payload digests and carry the service's signatures; erasures.

Adds ``payload_salt``, ``payload_digest``, ``erased_by`` and ``signature`` to register entries
and ``signature`` to register heads. Entries written before this revision have no digest or
signature and do not verify afterwards (nothing is deployed before 1.0: re-create development
data, e.g. ``nearmiss demo-data`` on a fresh data directory).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("register_entries") as batch:
        batch.add_column(
            sa.Column("payload_salt", sa.String(32), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("payload_digest", sa.String(64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("erased_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("signature", sa.String(128), nullable=False, server_default=""))
    with op.batch_alter_table("register_heads") as batch:
        batch.add_column(sa.Column("signature", sa.String(128), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("register_heads") as batch:
        batch.drop_column("signature")
    with op.batch_alter_table("register_entries") as batch:
        for column in ("signature", "erased_by", "payload_digest", "payload_salt"):
            batch.drop_column(column)
