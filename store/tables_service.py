"""What the service keeps for its own delivery: governance packs and their publication, the mail
outbox, Idempotency-Keys used up, and workers' form submissions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.column_types import BigId, Instant, Json
from store.tables_base import Base


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


Index("ix_outbox_unsent", OutboxMessage.sent_at)


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
