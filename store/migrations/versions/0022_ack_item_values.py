"""Each example-1 review item's analytic values, typed: the analytics aggregate them in SQL.

``ack_item_values`` holds per review item the values the example-1 analytics group and count
(group values, classification, minutes, working microseconds, indicators), and
``ack_values_reviews`` the reviews valued with the calendar their working times were measured by
(``store.analytics_values``). This revision values the reviews stored before it, by the
provider calendar of the service's settings, as the API reads it; a read values any review it
finds without values (or measured by another calendar) itself.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.settings import Settings
from domain import names
from domain.calendar import calendar_for
from domain.working_clock import clock_for
from store.analytics_values import REVIEWS_PER_FILL, calendar_key, item_values

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade() -> None:
    values = op.create_table(
        "ack_item_values",
        _text("review_id", 80), _text("reference", 128), _text("period", 20),
        _text("week", 10), _text("month", 10), _text("classification", 40, nullable=True),
        _text("service_line", 128), _text("manager_line", 128), _text("risk_domain", 128),
        _text("category_code", 128),
        sa.Column("ack_min", sa.Integer(), nullable=True),
        sa.Column("triage_min", sa.Integer(), nullable=True),
        sa.Column("no_owner", sa.Boolean(), nullable=False),
        sa.Column("working_ack_us", sa.BigInteger(), nullable=True),
        sa.Column("working_triage_us", sa.BigInteger(), nullable=True),
        sa.Column("over_threshold", sa.Boolean(), nullable=False),
        sa.Column("no_owner_indicated", sa.Boolean(), nullable=False),
        sa.Column("manager_not_reviewed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("review_id", "reference"),
    )  # fmt: skip
    op.create_index("ix_ack_item_values_period", "ack_item_values", ["period"])
    valued = op.create_table(
        "ack_values_reviews",
        _text("review_id", 80), _text("calendar", 64), sa.PrimaryKeyConstraint("review_id"),
    )  # fmt: skip
    assert values is not None and valued is not None
    _backfill(values, valued)


def _backfill(values: sa.Table, valued: sa.Table) -> None:
    bind = op.get_bind()
    reviews = sa.table("reviews", sa.column("review_id"), sa.column("example"), sa.column("period"))
    items = sa.table("review_items", sa.column("review_id"), sa.column("reference"),
                     sa.column("classification"), sa.column("fields", sa.JSON()))  # fmt: skip
    found = bind.execute(
        sa.select(reviews.c.review_id, reviews.c.period)
        .where(reviews.c.example == names.EXAMPLE_ACKNOWLEDGMENT)
        .order_by(reviews.c.period, reviews.c.review_id)
    ).all()
    calendar = calendar_for(Settings().calendar_config())
    clock, key = clock_for(calendar), calendar_key(calendar)
    for at in range(0, len(found), REVIEWS_PER_FILL):
        period_of = dict(found[at : at + REVIEWS_PER_FILL])
        rows = bind.execute(
            sa.select(items.c.review_id, items.c.reference, items.c.classification,
                      items.c.fields).where(items.c.review_id.in_(list(period_of)))
        )  # fmt: skip
        out = [item_values(r, ref, period_of[r], c, f, clock) for r, ref, c, f in rows]
        if out:
            bind.execute(values.insert(), out)
        bind.execute(valued.insert(), [{"review_id": r, "calendar": key} for r in period_of])


def downgrade() -> None:
    op.drop_table("ack_values_reviews")
    op.drop_index("ix_ack_item_values_period", "ack_item_values")
    op.drop_table("ack_item_values")
