"""Source records as the feeds sent them: the current version of each (typed columns beside
the JSON; partitioned by feed on PostgreSQL) and every version ever received."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.column_types import BigId, Instant, Json
from store.source_fields import TypedSourceColumns
from store.tables_base import Base

NOT_RESOLVED = "confirmed = false"


class SourceRecord(TypedSourceColumns, Base):
    """Current version of one record of one feed, keyed by the feed's key (upsert target).

    The typed columns of ``TypedSourceColumns`` are extracted from the content at ingestion
    (migrations 0005 and 0013): set-based reviews read these, not the JSON.
    """

    __tablename__ = "source_records"
    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(Instant)
    __table_args__ = (
        Index("ix_source_records_feed_submitted", "feed", "submitted_at_us"),
        Index("ix_source_records_feed_closed", "feed", "closed_at_us"),
        # Example 3's late disputes: the answers "not resolved" received since the previous
        # closure review (``store.credibility_late``; migration 0032), not the whole feed.
        Index(
            "ix_source_records_not_resolved",
            "feed",
            "received_at",
            postgresql_where=text(NOT_RESOLVED),
            sqlite_where=text(NOT_RESOLVED),
        ),
        {"postgresql_partition_by": "LIST (feed)"},
    )


# On PostgreSQL ``source_records`` is partitioned by feed (migration 0027): one table per feed,
# so a review's scan of a whole feed reads that feed's pages only, not every feed's rows
# interleaved (bench/RESULTS.md, "Ninth session — example 2's review"). A feed not listed here
# goes to the default partition; tests/test_migrations.py fails when ``domain.feeds`` names a
# feed this list (and so a migration) does not.
SOURCE_FEEDS = (
    "incident-platform", "workforce-reporting-log", "manager-response-tracker",
    "service-line-governance-register", "corrective-action-tracker", "learning-bulletin-log",
    "recurrence-analysis-file", "closed-case-register", "employee-confirmation-form",
    "reopened-risk-tracker", "final-action-evidence-library", "workforce-concern-register",
    "speaking-up-confidence-form", "staff-directory",
)  # fmt: skip
SOURCE_DEFAULT_PARTITION = "source_records_other"


def source_partition(feed: str) -> str:
    """The name of FEED's partition of ``source_records`` (PostgreSQL)."""
    return "source_records_" + feed.replace("-", "_")


def source_partitions_ddl() -> list[str]:
    """``CREATE TABLE`` of every partition of ``source_records`` (PostgreSQL; after the table)."""
    return [
        *(
            f"CREATE TABLE {source_partition(feed)} PARTITION OF source_records "
            f"FOR VALUES IN ('{feed}')"
            for feed in SOURCE_FEEDS
        ),
        f"CREATE TABLE {SOURCE_DEFAULT_PARTITION} PARTITION OF source_records DEFAULT",
    ]


for _statement in source_partitions_ddl():
    _partition = DDL(_statement)  # type: ignore[no-untyped-call]
    event.listen(
        SourceRecord.__table__, "after_create", _partition.execute_if(dialect="postgresql")
    )


class SourceRecordVersion(Base):
    """Every version ever received (the current one included): chronologies read these."""

    __tablename__ = "source_record_versions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(Instant)
    __table_args__ = (UniqueConstraint("feed", "key", "version"),)
