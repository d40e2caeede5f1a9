"""A ``made_visible`` timeline event for each case of each pack published before this revision.

Publishing a pack now records the event on every case it lists (store/packs.py), and the case
history renders it; before, the history worked the line out when the page was shown. This
revision writes the event for packs already published, with the pack's publisher and time.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.packs import PACKS

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ids(value: Any) -> list[str]:
    return [str(i) for i in (json.loads(value) if isinstance(value, str) else value or [])]


def upgrade() -> None:
    packs = sa.table(
        "packs",
        *(sa.column(n) for n in ("kind", "period", "published_by", "case_ids")),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    events = sa.table(
        "case_events",
        *(sa.column(n) for n in ("case_id", "kind", "actor", "dedupe_key")),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("detail", sa.JSON()),
    )
    bind = op.get_bind()
    found = bind.execute(
        sa.select(packs.c.kind, packs.c.period, packs.c.published_by, packs.c.published_at,
                  packs.c.case_ids).where(packs.c.published_at.is_not(None))
    ).all()  # fmt: skip
    rows = [
        {
            "case_id": case_id,
            "at": at,
            "kind": "made_visible",
            "actor": by or "system",
            "detail": {"pack": kind, "period": period, "title": PACKS[kind].title},
            "dedupe_key": f"{case_id}:made_visible:{kind}/{period}",
        }
        for kind, period, by, at, case_ids in found
        if kind in PACKS
        for case_id in _ids(case_ids)
    ]
    if rows:
        bind.execute(sa.insert(events), rows)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM case_events WHERE kind = 'made_visible'"))
