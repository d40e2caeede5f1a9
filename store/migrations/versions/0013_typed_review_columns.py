"""Typed columns for the set-based reviews of examples 2 and 3.

Adds the 0013 columns of ``store.source_fields`` to ``source_records`` (closure, due, completion,
feedback, bulletin and reopening instants as epoch microseconds; the reference, corrective action
reference, action status and evidence type; three flags; the repeat count), an index on
(feed, closed_at_us) for both reviews' scope, and backfills every stored record from its JSON
content with the same extraction ingestion uses from now on (keyset batches of 5,000).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from store.source_fields import typed_dict, typed_from_content

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000
_TYPES: dict[str, Any] = {
    "closed_at_us": sa.BigInteger(),
    "due_at_us": sa.BigInteger(),
    "completed_at_us": sa.BigInteger(),
    "feedback_to_reporter_at_us": sa.BigInteger(),
    "bulletin_issued_at_us": sa.BigInteger(),
    "reopened_at_us": sa.BigInteger(),
    "reference": sa.String(128),
    "corrective_action_ref": sa.String(128),
    "status": sa.String(32),
    "evidence_type": sa.String(32),
    "wider_relevance": sa.Boolean(),
    "recurrence_within_30_days": sa.Boolean(),
    "confirmed": sa.Boolean(),
    "repeat_count_same_domain": sa.Integer(),
}


def upgrade() -> None:
    with op.batch_alter_table("source_records") as batch:
        for name, kind in _TYPES.items():
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_index("ix_source_records_feed_closed", "source_records", ["feed", "closed_at_us"])
    _backfill()


def _typed(content: dict[str, Any] | None) -> dict[str, Any]:
    typed = typed_dict(typed_from_content(content or {}))
    return {name: typed[name] for name in _TYPES}


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


def downgrade() -> None:
    op.drop_index("ix_source_records_feed_closed", table_name="source_records")
    with op.batch_alter_table("source_records") as batch:
        for name in reversed(_TYPES):
            batch.drop_column(name)
