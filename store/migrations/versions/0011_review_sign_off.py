"""A review's sign-off deadline, and whether its run is a back-run, stored on its row.

Until now My work and the evidence pack worked the deadline out again from the example's rule,
and guessed a back-run from the generation time (so a scheduled run delayed by an outage read as
one). The review workflow now stores both when it opens the sign-off obligation. This revision
adds the columns and backfills the reviews stored before it the only way they can be: a review
generated after its rule's deadline is taken as a back-run, due by close of business of its
generation (the provider calendar comes from the service's settings, as the API reads it).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from config.settings import Settings
from domain.calendar import calendar_for
from domain.reviews import BACK_RUN_RULE, REVIEWS

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def upgrade() -> None:
    # Plain ADD COLUMNs, not a batch: on SQLite a batch with an expression default rebuilds the
    # table, and dropping the old `reviews` fails once review_items refer to it (foreign keys on).
    op.add_column("reviews", sa.Column("sign_off_due_at", sa.DateTime(timezone=True)))
    op.add_column(
        "reviews", sa.Column("back_run", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    reviews = sa.table(
        "reviews",
        sa.column("review_id", sa.String),
        sa.column("example", sa.String),
        sa.column("as_of", sa.DateTime(timezone=True)),
        sa.column("generated_at", sa.DateTime(timezone=True)),
        sa.column("sign_off_due_at", sa.DateTime(timezone=True)),
        sa.column("back_run", sa.Boolean()),
    )
    bind = op.get_bind()
    found = bind.execute(
        sa.select(reviews.c.review_id, reviews.c.example, reviews.c.as_of, reviews.c.generated_at)
    ).all()
    calendar = calendar_for(Settings().calendar_config())
    for review_id, example, as_of, generated_at in found:
        spec = REVIEWS.get(example)
        if spec is None:
            continue
        due = calendar.deadline(spec.reviewed_rule, _aware(as_of))
        back_run = _aware(generated_at) > due
        if back_run:
            due = calendar.deadline(BACK_RUN_RULE, _aware(generated_at))
        stored = due.astimezone(UTC)  # SQLite keeps no offset: naive UTC, as store.tables does
        if bind.dialect.name == "sqlite":
            stored = stored.replace(tzinfo=None)
        bind.execute(
            reviews.update()
            .where(reviews.c.review_id == review_id)
            .values(sign_off_due_at=stored, back_run=back_run)
        )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), never a rebuild (see upgrade).
    with op.batch_alter_table("reviews", recreate="never") as batch:
        batch.drop_column("back_run")
        batch.drop_column("sign_off_due_at")
