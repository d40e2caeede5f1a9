"""SQLAlchemy 2.0 tables, one module per part of the schema, all imported here so one import
gives every table (and ``Base.metadata`` holds them all, as the migrations and fixtures need):

- ``store.tables_sources``: source records, current and every version (partitioned by feed);
- ``store.tables_registers``: hash-chained registers, their heads and verifications;
- ``store.tables_reviews``: generated reviews and their items;
- ``store.tables_cases``: the case projection (cases, open obligations, events, document
  openings, breaches);
- ``store.tables_service``: packs, the mail outbox, idempotency keys, form submissions;
- ``store.tables_analytics``: the example-1 analytics' derived values.
"""

from __future__ import annotations

from store import tables_analytics as tables_analytics  # its tables join Base
from store.tables_base import Base
from store.tables_cases import (
    OPEN,
    SEVERITY_RANKS,
    Breach,
    Case,
    CaseEvent,
    DocumentOpening,
    OpenObligation,
    severity_rank,
)
from store.tables_registers import RegisterEntry, RegisterHead, RegisterVerification
from store.tables_reviews import WEAK_CLASSIFICATIONS, WEAK_ITEM, Review, ReviewItem
from store.tables_service import FormSubmission, IdempotencyKeyUse, OutboxMessage, Pack
from store.tables_sources import (
    SOURCE_DEFAULT_PARTITION,
    SOURCE_FEEDS,
    SourceRecord,
    SourceRecordVersion,
    source_partition,
    source_partitions_ddl,
)

__all__ = [
    "OPEN",
    "SEVERITY_RANKS",
    "SOURCE_DEFAULT_PARTITION",
    "SOURCE_FEEDS",
    "WEAK_CLASSIFICATIONS",
    "WEAK_ITEM",
    "Base",
    "Breach",
    "Case",
    "CaseEvent",
    "DocumentOpening",
    "FormSubmission",
    "IdempotencyKeyUse",
    "OpenObligation",
    "OutboxMessage",
    "Pack",
    "RegisterEntry",
    "RegisterHead",
    "RegisterVerification",
    "Review",
    "ReviewItem",
    "SourceRecord",
    "SourceRecordVersion",
    "severity_rank",
    "source_partition",
    "source_partitions_ddl",
]
