"""Typed columns extracted from source records, for the set-based daily review.

Adds the columns of ``store.source_fields`` to ``source_records`` (instants as epoch
microseconds, identifiers, statuses and flags), an index on (feed, submitted_at_us) for the
review's scope, and backfills every stored record from its JSON content with the same extraction
ingestion uses from now on (keyset batches of 5,000, so memory stays bounded).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from store.source_fields import typed_dict, typed_from_content

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000
# This migration's columns (0010 adds more: ``store.source_fields.FIELDS``).
_TYPES: dict[str, Any] = {
    "submitted_at_us": sa.BigInteger(),
    "first_acknowledged_at_us": sa.BigInteger(),
    "triage_completed_at_us": sa.BigInteger(),
    "employee_id": sa.String(128),
    "service_line": sa.String(128),
    "triage_owner_id": sa.String(128),
    "triage_status": sa.String(32),
    "risk_domain": sa.String(64),
    "manager_line": sa.String(128),
    "manager_reviewed": sa.Boolean(),
    "unsafe_condition_active": sa.Boolean(),
}


def upgrade() -> None:
    with op.batch_alter_table("source_records") as batch:
        for name in _TYPES:
            batch.add_column(sa.Column(name, _TYPES[name], nullable=True))
    op.create_index(
        "ix_source_records_feed_submitted", "source_records", ["feed", "submitted_at_us"]
    )
    _backfill()


def _backfill() -> None:
    records = sa.table(
        "source_records",
        sa.column("feed"),
        sa.column("key"),
        sa.column("content", sa.JSON()),
        *(sa.column(name, kind) for name, kind in _TYPES.items()),
    )
    change = (
        sa.update(records)
        .where(records.c.feed == sa.bindparam("b_feed"), records.c.key == sa.bindparam("b_key"))
        .values({name: sa.bindparam(name) for name in _TYPES})
    )
    connection = op.get_bind()
    after: tuple[str, str] = ("", "")
    while True:
        rows = connection.execute(
            sa.select(records.c.feed, records.c.key, records.c.content)
            .where(sa.tuple_(records.c.feed, records.c.key) > after)
            .order_by(records.c.feed, records.c.key)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            change,
            [{"b_feed": feed, "b_key": key, **_typed(content)} for feed, key, content in rows],
        )
        after = (rows[-1][0], rows[-1][1])


def _typed(content: dict[str, Any] | None) -> dict[str, Any]:
    typed = typed_dict(typed_from_content(content or {}))
    return {name: typed[name] for name in _TYPES}


def downgrade() -> None:
    op.drop_index("ix_source_records_feed_submitted", table_name="source_records")
    with op.batch_alter_table("source_records") as batch:
        for name in reversed(_TYPES):
            batch.drop_column(name)
