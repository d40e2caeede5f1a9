"""``review_items`` without its foreign key to ``reviews``: the review's build guarantees it.

PostgreSQL checks a foreign key row by row (one ``SELECT … FOR KEY SHARE`` of the review's row
per item, through the SPI): 0.2 s of ~0.9 s of CPU per partition of example 3's review at
100k closures, the largest single piece after the join (bench/RESULTS.md, "Tenth session —
example 3's review"). Every item is written by a review's build, which already holds what the
key checked: ``store.review_build.fill_review`` inserts the review's row in the items'
transaction, and each partition of a build on several connections holds the row ``FOR SHARE``
(a stronger lock than the key's, conflicting with the claim's and the publish's ``FOR UPDATE``
alike) and checks its token before inserting. Reviews are never deleted.

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL named the key when 0001 created it; SQLite's is unnamed, named here for the batch.
_NAME = "review_items_review_id_fkey"
_NAMING = {"fk": "%(table_name)s_%(column_0_name)s_fkey"}


def upgrade() -> None:
    with op.batch_alter_table("review_items", naming_convention=_NAMING) as batch:
        batch.drop_constraint(_NAME, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("review_items", naming_convention=_NAMING) as batch:
        batch.create_foreign_key(_NAME, "reviews", ["review_id"], ["review_id"])
