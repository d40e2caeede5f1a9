"""Registers, logs and workspaces: append-only entries in hash chains, each chain's head (locked
by an append) and its recorded verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.column_types import BigId, Instant, Json
from store.tables_base import Base


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


Index("ix_register_entries_register_seq", RegisterEntry.register, RegisterEntry.seq)
# Packs and the evidence pack read a period's register entries of some kinds (0017): an index
# range over the period, not a scan of every entry ever recorded.
Index("ix_register_entries_kind_recorded_at", RegisterEntry.kind, RegisterEntry.recorded_at)
