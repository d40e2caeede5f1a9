"""SQLAlchemy 2.0 tables: source records (versioned), registers (hash-chained), case projection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    Boolean,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    literal,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column

from store.column_types import BigId, Instant, Json
from store.item_fields import ItemFields
from store.source_fields import TypedSourceColumns

# The classifications that are a weak response: emerging or critical acknowledgment (example 1),
# doubtful or failed closure (example 3). A literal: the partial index's predicate must be one.
WEAK_CLASSIFICATIONS = ("emerging", "critical", "doubtful", "failed")
WEAK_ITEM = "classification IN ({})".format(", ".join(f"'{c}'" for c in WEAK_CLASSIFICATIONS))


class Base(DeclarativeBase):
    pass


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


class RegisterHead(Base):
    """Head of one register's hash chain; appends lock this row so the chain cannot fork."""

    __tablename__ = "register_heads"
    register: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128), default="")


class RegisterEntry(Base):
    """Append-only entry of a register, log or workspace (actor, time, payload, chained hash)."""

    __tablename__ = "register_entries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    register: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(Instant)
    subject: Mapped[str] = mapped_column(String(160), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    payload_salt: Mapped[str] = mapped_column(String(32), default="")
    payload_digest: Mapped[str] = mapped_column(String(64), default="")
    erased_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128), default="")
    __table_args__ = (UniqueConstraint("register", "seq"),)


class RegisterVerification(Base):
    """Each register's recorded verification (migration 0016): entries 1..``verified_seq``
    checked, the first bad entry found (if any), and the last full verification; signed."""

    __tablename__ = "register_verifications"
    register: Mapped[str] = mapped_column(String(80), primary_key=True)
    verified_seq: Mapped[int] = mapped_column(Integer)
    verified_hash: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(Instant)
    first_bad_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    found_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    full_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    full_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    full_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    signature: Mapped[str] = mapped_column(String(128), default="")


class Review(Base):
    """A generated review/audit (example 1, 2 or 3) and whether it has been marked reviewed."""

    __tablename__ = "reviews"
    review_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    example: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(20))
    as_of: Mapped[datetime] = mapped_column(Instant)
    generated_at: Mapped[datetime] = mapped_column(Instant)
    status: Mapped[str] = mapped_column(String(20))
    reviewed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(Json)
    # Stored by the review workflow when it opens the sign-off obligation (its deadline, and
    # whether a person asked for the run after its deadline: a back-run); None until then.
    sign_off_due_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    back_run: Mapped[bool] = mapped_column(Boolean, default=False)
    # The first claim of its build (PostgreSQL, ``store.review_build``), kept when a later
    # attempt claims it again: how long it has been building (None: built in one transaction).
    building_since: Mapped[datetime | None] = mapped_column(Instant, nullable=True)


class ReviewItem(Base):
    """One report (or closed case) in a review: classification or exception reasons."""

    __tablename__ = "review_items"
    # Each worker's first weak response (store.analytics_leavers.first_exposures) groups years
    # of weak items by worker: read from this index alone, not from their JSON documents. Only
    # weak items are in it, so a review writes an entry for about one item in six.
    __table_args__ = (
        Index(
            "ix_review_items_exposed",
            "classification",
            "employee_id",
            "review_id",
            postgresql_where=text(WEAK_ITEM),
            sqlite_where=text(WEAK_ITEM),
        ),
    )
    # A review's id, with no foreign key: the review's build holds its row while it inserts
    # items (migration 0029; the key's row-by-row check was a fifth of the statement's CPU).
    review_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    reference: Mapped[str] = mapped_column(String(128), primary_key=True)
    classification: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reasons: Mapped[list[str]] = mapped_column(Json)
    # The document as stored: NULL for example 3's register items, whose document is rendered
    # from the typed columns below. Read ``fields``, never this (``store.item_fields``).
    stored_fields: Mapped[dict[str, Any] | None] = mapped_column(
        "fields", Json, nullable=True, deferred=True
    )
    case_id: Mapped[str | None] = mapped_column(String(160), nullable=True)
    # ``fields``' employee_id as text, written beside it by each review's statement from the
    # typed source columns (a generated column would parse every item's JSON as it is written).
    employee_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Example 3's register items (migration 0028): the closure's own values and the review's
    # findings, from which ``fields`` is rendered (``store.item_fields``); NULL otherwise.
    closure_reference: Mapped[str | None] = mapped_column(Text, nullable=True)
    service_line: Mapped[str | None] = mapped_column(Text, nullable=True)
    manager_line: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at_iso: Mapped[str | None] = mapped_column(Text, nullable=True)
    closure_category: Mapped[str | None] = mapped_column(Text, nullable=True)
    final_reviewing_role: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_communication_iso: Mapped[str | None] = mapped_column(Text, nullable=True)
    responded_at_iso: Mapped[str | None] = mapped_column(Text, nullable=True)
    reopened_at_iso: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence_type: Mapped[str | None] = mapped_column(Text, nullable=True)
    days_to_reopen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_bits: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The item's document: as stored, or rendered from the typed columns (read-only).
    fields: Mapped[dict[str, Any]] = column_property(
        ItemFields(
            stored_fields,
            reference,
            employee_id,
            closure_reference,
            service_line,
            manager_line,
            closed_at_iso,
            closure_category,
            final_reviewing_role,
            last_communication_iso,
            responded_at_iso,
            reopened_at_iso,
            evidence_type,
            days_to_reopen,
            item_bits,
        )
    )


class Case(Base):
    """Projection of a case workflow's state (Temporal holds the state of record)."""

    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    example: Mapped[str] = mapped_column(String(40), index=True)
    reference: Mapped[str] = mapped_column(String(128), index=True)
    review_id: Mapped[str] = mapped_column(String(80))
    employee_id: Mapped[str] = mapped_column(String(128), index=True)
    service_line: Mapped[str] = mapped_column(String(128))
    exposure: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(60), index=True)
    status: Mapped[str] = mapped_column(String(20))
    assigned_role: Mapped[str | None] = mapped_column(String(80), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    closed_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(Json)


class OpenObligation(Base):
    """An open obligation of a case (who owes it, title, deadline), projected for "my work"."""

    __tablename__ = "case_open_obligations"
    case_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    # The case's own columns "my work" shows (copied by the projection: one table to read).
    case_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    example: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(128), nullable=True)
    exposure: Mapped[str | None] = mapped_column(String(40), nullable=True)
    service_line: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Where it sorts in "my work": its deadline, or for a pathway's acceptance the earliest of it
    # and its case's actions (they wait for it). Paged by (sort_at, severity_rank, case_id, key
    # descending).
    sort_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    # Among those due alike, the case's exposure (0 critical or failed, 1 emerging or doubtful,
    # 2 anything else: ``SEVERITY_RANKS``), then its ID (0030).
    severity_rank: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")


# An exposure's place among obligations due at the same time: the most severe first.
SEVERITY_RANKS = {"critical": 0, "failed": 0, "emerging": 1, "doubtful": 1}


def severity_rank(exposure: str | None) -> int:
    """``SEVERITY_RANKS``' place of EXPOSURE (2 for within tolerance, credible, or none)."""
    return SEVERITY_RANKS.get(exposure or "", 2)


class CaseEvent(Base):
    """The case's timeline as projected from the workflow (stage changes, submissions, breaches)."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(160), index=True)
    at: Mapped[datetime] = mapped_column(Instant)
    kind: Mapped[str] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(Json)
    dedupe_key: Mapped[str] = mapped_column(String(240), unique=True)


class DocumentOpening(Base):
    """A prerequisite document opened by a person for a case (never self-declared)."""

    __tablename__ = "document_openings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(160), index=True)
    document: Mapped[str] = mapped_column(String(80))
    actor: Mapped[str] = mapped_column(String(128))
    opened_at: Mapped[datetime] = mapped_column(Instant)


class Breach(Base):
    """A missed deadline at one escalation level."""

    __tablename__ = "breaches"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(160), index=True)
    step: Mapped[str] = mapped_column(String(60))
    deadline: Mapped[datetime] = mapped_column(Instant)
    level: Mapped[int] = mapped_column(Integer)
    escalated_at: Mapped[datetime] = mapped_column(Instant)
    resolved_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    __table_args__ = (UniqueConstraint("case_id", "step", "deadline", "level"),)


class OutboxMessage(Base):
    """A mail to send; the dedupe key makes queueing idempotent, sent_at makes delivery once."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Instant)
    sent_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Pack(Base):
    """A governance pack (weekly, fortnightly, monthly) and its publication."""

    __tablename__ = "packs"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    generated_at: Mapped[datetime] = mapped_column(Instant)
    published_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
    case_ids: Mapped[list[str]] = mapped_column(Json)
    content: Mapped[dict[str, Any]] = mapped_column(Json)
    # What the content was built from (store.pack_inputs; migration 0017): a view rebuilds an
    # unpublished pack only when this changes. None: never fingerprinted (rebuilt at next view).
    inputs: Mapped[str | None] = mapped_column(String(64), nullable=True)


Index("ix_register_entries_register_seq", RegisterEntry.register, RegisterEntry.seq)
Index("ix_breaches_open", Breach.resolved_at)
# Read path (migration 0008): GET /cases lists newest first (a LIMIT off this index, not a sort
# of every case), and "my work" and the overdue filter read open cases only.
Index("ix_cases_opened_at", Case.opened_at)
Index("ix_cases_status_deadline", Case.status, Case.deadline)
# "open" written into a statement's text, never bound, where a query must use an index on open
# rows only: asyncpg prepares each statement, PostgreSQL plans one generically (without its
# parameters' values) from its sixth execution on a connection, and a generic plan cannot prove
# ``status = $1`` implies a partial index's ``status = 'open'`` (my work at 200k cases: 19.7 ms
# and 2,052 buffers for a page instead of 0.4 ms and 67; bench/RESULTS.md, "Eighth session").
OPEN = literal("open", literal_execute=True)
# GET /cases?overdue=true walks the open cases newest first (0023): closed ones are not in it.
_OPEN_CASE = Case.status == "open"
Index("ix_cases_open_opened_at", Case.opened_at, Case.case_id,
      postgresql_where=_OPEN_CASE, sqlite_where=_OPEN_CASE)  # fmt: skip
# The reviews left ``building`` (store.review_build), by claim instant, for /metrics (0025): only
# the few rows being built are in it.
_BUILDING_REVIEW = Review.status == "building"
Index("ix_reviews_building", Review.generated_at,
      postgresql_where=_BUILDING_REVIEW, sqlite_where=_BUILDING_REVIEW)  # fmt: skip
Index("ix_cases_stage_opened_at", Case.stage, Case.opened_at)  # GET /cases?stage= (0009)
Index("ix_cases_updated_at", Case.updated_at)  # the newest case update: store.pack_inputs (0017)
# Packs and the evidence pack read a period's steps and register entries of some kinds (0017):
# an index range over the period, not a scan of every event and entry ever recorded.
Index("ix_case_events_kind_at", CaseEvent.kind, CaseEvent.at)
Index("ix_cases_example_opened_at", Case.example, Case.opened_at, Case.case_id)  # index-only
Index("ix_register_entries_kind_recorded_at", RegisterEntry.kind, RegisterEntry.recorded_at)
Index("ix_outbox_unsent", OutboxMessage.sent_at)
# My work a page at a time (0018, 0030): what a person owes by name, and by role when nobody is
# named, soonest first, then the most severe.
_OWED_ORDER = (OpenObligation.sort_at, OpenObligation.severity_rank, OpenObligation.case_id,
               OpenObligation.key.desc())  # fmt: skip
_OPEN = OpenObligation.case_status == "open"
_BY_ROLE = and_(_OPEN, OpenObligation.assignee.is_(None))
Index("ix_owed_by_name", OpenObligation.assignee, *_OWED_ORDER, postgresql_include=["deadline"],
      postgresql_where=_OPEN, sqlite_where=_OPEN)  # fmt: skip
Index("ix_owed_by_role", OpenObligation.role, *_OWED_ORDER, postgresql_include=["deadline"],
      postgresql_where=_BY_ROLE, sqlite_where=_BY_ROLE)  # fmt: skip
# My work's counts by due band (0021): one LIMIT-ed range by deadline per way of owing and band.
_DUE_BY_NAME = and_(_OPEN, OpenObligation.sort_at.is_not(None))
_DUE_BY_ROLE = and_(_BY_ROLE, OpenObligation.sort_at.is_not(None))
Index("ix_owed_due_by_name", OpenObligation.assignee, OpenObligation.deadline,
      postgresql_where=_DUE_BY_NAME, sqlite_where=_DUE_BY_NAME)  # fmt: skip
Index("ix_owed_due_by_role", OpenObligation.role, OpenObligation.deadline,
      postgresql_where=_DUE_BY_ROLE, sqlite_where=_DUE_BY_ROLE)  # fmt: skip
# GET /escalations a page at a time (0020): the open breaches in the list's order.
_UNRESOLVED = Breach.resolved_at.is_(None)
Index("ix_breaches_open_order", Breach.escalated_at, Breach.case_id, Breach.step, Breach.id,
      postgresql_where=_UNRESOLVED, sqlite_where=_UNRESOLVED)  # fmt: skip


class IdempotencyKeyUse(Base):
    """An Idempotency-Key used up by an accepted (2xx) request, with that request's fingerprint:
    the same key with a different request is refused (422)."""

    __tablename__ = "idempotency_keys"
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column(Instant, index=True)  # expiry (migration 0014)


class FormSubmission(Base):
    """A worker's form posted from a page: its Idempotency-Key, so a retried post applies once."""

    __tablename__ = "form_submissions"
    idempotency_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(128))
    feed: Mapped[str] = mapped_column(String(60))
    record_key: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(Instant)


from store import tables_analytics as tables_analytics  # noqa: E402  (its tables join Base)
