"""Generated reviews and audits (examples 1, 2 and 3) and their items: each report's or closed
case's classification or exception reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from store.column_types import Instant, Json
from store.item_fields import ItemFields
from store.tables_base import Base

# The classifications that are a weak response: emerging or critical acknowledgment (example 1),
# doubtful or failed closure (example 3). A literal: the partial index's predicate must be one.
WEAK_CLASSIFICATIONS = ("emerging", "critical", "doubtful", "failed")
WEAK_ITEM = "classification IN ({})".format(", ".join(f"'{c}'" for c in WEAK_CLASSIFICATIONS))


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
    # Example 1's items (migration 0033): the report's own values and the review's findings
    # (with ``service_line`` and ``manager_line`` above), from which ``fields`` is rendered
    # (``store.item_fields``); ``ack_bits`` is set for them alone. NULL otherwise.
    submitted_at_iso: Mapped[str | None] = mapped_column(Text, nullable=True)
    category_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    first_acknowledged_iso: Mapped[str | None] = mapped_column(Text, nullable=True)
    triage_completed_iso: Mapped[str | None] = mapped_column(Text, nullable=True)
    triage_status: Mapped[str | None] = mapped_column(Text, nullable=True)
    client_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    risk_domain: Mapped[str | None] = mapped_column(Text, nullable=True)
    triage_owner_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    ack_elapsed_min: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    triage_elapsed_min: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ack_bits: Mapped[int | None] = mapped_column(Integer, nullable=True)
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
            submitted_at_iso,
            category_code,
            first_acknowledged_iso,
            triage_completed_iso,
            triage_status,
            client_id,
            risk_domain,
            triage_owner_id,
            ack_elapsed_min,
            triage_elapsed_min,
            ack_bits,
        )
    )


# The reviews left ``building`` (store.review_build), by claim instant, for /metrics (0025): only
# the few rows being built are in it.
_BUILDING_REVIEW = Review.status == "building"
Index("ix_reviews_building", Review.generated_at,
      postgresql_where=_BUILDING_REVIEW, sqlite_where=_BUILDING_REVIEW)  # fmt: skip
