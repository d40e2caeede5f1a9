"""``source_records`` partitioned by feed (PostgreSQL; SQLite unchanged).

One table per feed (and a default one for a feed not listed), so a review's scan of a whole
feed (example 2 scans the bulletin log, the recurrence file and the action tracker once per
partition of its build) reads that feed's pages only, not the pages every feed's rows share.
The primary key ``(feed, key)`` holds the partition key, so upserts and look-ups by key work
as before. Existing rows are moved into the partitioned table in this migration's transaction.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The feeds of ``domain.feeds`` as of this revision (``store.tables.SOURCE_FEEDS``).
FEEDS = (
    "incident-platform", "workforce-reporting-log", "manager-response-tracker",
    "service-line-governance-register", "corrective-action-tracker", "learning-bulletin-log",
    "recurrence-analysis-file", "closed-case-register", "employee-confirmation-form",
    "reopened-risk-tracker", "final-action-evidence-library", "workforce-concern-register",
    "speaking-up-confidence-form", "staff-directory",
)  # fmt: skip
INDEXES = {
    "ix_source_records_feed_submitted": "feed, submitted_at_us",
    "ix_source_records_feed_closed": "feed, closed_at_us",
}


def _rebuild(partitioned: bool) -> None:
    """Move every row into a new ``source_records``, partitioned by feed or not."""
    op.execute("ALTER TABLE source_records RENAME TO source_records_old")
    op.execute(
        "ALTER TABLE source_records_old "
        "RENAME CONSTRAINT source_records_pkey TO source_records_old_pkey"
    )
    for index in INDEXES:
        op.execute(f"ALTER INDEX {index} RENAME TO {index}_old")
    by_feed = " PARTITION BY LIST (feed)" if partitioned else ""
    op.execute(f"CREATE TABLE source_records (LIKE source_records_old INCLUDING DEFAULTS){by_feed}")
    if partitioned:
        for feed in FEEDS:
            op.execute(
                f"CREATE TABLE source_records_{feed.replace('-', '_')} PARTITION OF source_records "
                f"FOR VALUES IN ('{feed}')"
            )
        op.execute("CREATE TABLE source_records_other PARTITION OF source_records DEFAULT")
    op.execute("INSERT INTO source_records SELECT * FROM source_records_old")
    op.execute("DROP TABLE source_records_old")
    op.execute(
        "ALTER TABLE source_records ADD CONSTRAINT source_records_pkey PRIMARY KEY (feed, key)"
    )
    for index, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {index} ON source_records ({columns})")
    op.execute("ANALYZE source_records")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(partitioned=False)
