"""The case projection (Temporal holds the state of record): each case, its open obligations
("my work"), timeline events, document openings and breaches, and the indexes the lists read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    and_,
    literal,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.column_types import BigId, Instant, Json
from store.tables_base import Base


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
Index("ix_cases_stage_opened_at", Case.stage, Case.opened_at)  # GET /cases?stage= (0009)
Index("ix_cases_updated_at", Case.updated_at)  # the newest case update: store.pack_inputs (0017)
# Packs and the evidence pack read a period's steps (0017; register entries alike, in
# store.tables_registers): an index range over the period, not a scan of every event recorded.
Index("ix_case_events_kind_at", CaseEvent.kind, CaseEvent.at)
Index("ix_cases_example_opened_at", Case.example, Case.opened_at, Case.case_id)  # index-only
# The administrator's open pathways, a page at a time by case ID (0031).
_CASE_OPEN = Case.status == "open"
Index("ix_cases_open_by_id", Case.case_id, postgresql_where=_CASE_OPEN, sqlite_where=_CASE_OPEN)
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
