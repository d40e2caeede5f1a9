"""Typed columns for the item documents of the three reviews.

Adds the 0024 columns of ``store.source_fields`` to ``source_records`` and backfills every stored
record from its JSON content in one pass, with the same extraction ingestion uses from now on
(keyset batches of 5,000). Each review writes its items' documents from these columns instead of
decoding each record's JSON:

- example 3: a closure's category and final reviewing role; the closure, last communication,
  confirmation and reopening instants as their content writes them; a closure's flags as JSON
  text;
- example 1: a report's submission, acknowledgment and triage instants as written, its category
  code and client, its recurrence-risk flag;
- example 2: a bulletin log row's feedback instant as written and its bulletin ID.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from store.source_fields import typed_dict, typed_from_content

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000
_TYPES: dict[str, Any] = {
    "closure_category": sa.String(128),
    "final_reviewing_role": sa.String(128),
    "closed_at_iso": sa.String(64),
    "last_employee_communication_at_iso": sa.String(64),
    "responded_at_iso": sa.String(64),
    "reopened_at_iso": sa.String(64),
    "flags": sa.Text(),
    "submitted_at_iso": sa.String(64),
    "first_acknowledged_at_iso": sa.String(64),
    "triage_completed_at_iso": sa.String(64),
    "category_code": sa.String(128),
    "client_id": sa.String(128),
    "recurrence_risk": sa.Boolean(),
    "feedback_to_reporter_at_iso": sa.String(64),
    "bulletin_id": sa.String(128),
}


def upgrade() -> None:
    with op.batch_alter_table("source_records") as batch:
        for name, kind in _TYPES.items():
            batch.add_column(sa.Column(name, kind, nullable=True))
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
    with op.batch_alter_table("source_records") as batch:
        for name in reversed(_TYPES):
            batch.drop_column(name)
