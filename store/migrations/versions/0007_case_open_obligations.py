"""Open obligations of cases, indexed by role and by named person (for "my work").

Until now "my work" read every open case and filtered its projected ``detail.open`` list in
Python. The projection now keeps the same list as rows of ``case_open_obligations`` (indexed on
``role`` and ``assignee``); this revision creates the table and fills it from the open cases.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rows(case_id: str, detail: Any) -> list[dict[str, Any]]:
    if isinstance(detail, str):
        detail = json.loads(detail)
    rows: dict[str, dict[str, Any]] = {}
    for item in (detail or {}).get("open", []):
        key = str(item.get("key", ""))
        if key and key not in rows:
            rows[key] = {
                "case_id": case_id,
                "key": key,
                "role": item.get("role") or None,
                "assignee": item.get("assignee") or None,
            }
    return list(rows.values())


def upgrade() -> None:
    table = op.create_table(
        "case_open_obligations",
        sa.Column("case_id", sa.String(160), primary_key=True),
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("role", sa.String(80), nullable=True),
        sa.Column("assignee", sa.String(128), nullable=True),
    )
    op.create_index("ix_case_open_obligations_role", "case_open_obligations", ["role"])
    op.create_index("ix_case_open_obligations_assignee", "case_open_obligations", ["assignee"])
    cases = sa.table(
        "cases", sa.column("case_id", sa.String), sa.column("status"), sa.column("detail", sa.JSON)
    )
    found = op.get_bind().execute(
        sa.select(cases.c.case_id, cases.c.detail).where(cases.c.status == "open")
    )
    rows = [row for case_id, detail in found for row in _rows(case_id, detail)]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_case_open_obligations_assignee", "case_open_obligations")
    op.drop_index("ix_case_open_obligations_role", "case_open_obligations")
    op.drop_table("case_open_obligations")
