"""A seeded operational scenario: cases at several stages, breaches, reviews, mail, registers.

Rows are written as the activities write them (the projection, breaches, the outbox, chained
register entries), so ``/metrics`` reads what a running service would hold.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.db import transaction
from store.registers import append_entry
from store.tables import Breach, Case, OutboxMessage, RegisterEntry, Review

REGISTER = "near-miss-reliability-case-register"
LOG = "acknowledgment-recovery-log"


def _case(case_id: str, stage: str, level: int, at: datetime, status: str = "open") -> Case:
    return Case(
        case_id=case_id, example="acknowledgment", reference=case_id.removeprefix("ack-case-"),
        review_id="ack-review-2026-11-27", employee_id="E-WORKER-1", service_line="HC-NORTH",
        exposure="critical", stage=stage, status=status, assigned_role=None, assignee=None,
        deadline=at, escalation_level=level, opened_at=at, updated_at=at, detail={},
    )  # fmt: skip


def _review(review_id: str, example: str, status: str, at: datetime) -> Review:
    return Review(
        review_id=review_id, example=example, period=review_id[-10:], as_of=at, generated_at=at,
        status=status, reviewed_by=None, reviewed_at=None, summary={},
    )  # fmt: skip


def _breach(case_id: str, step: str, level: int, at: datetime) -> Breach:
    return Breach(case_id=case_id, step=step, deadline=at, level=level, escalated_at=at)


def _mail(key: str, at: datetime, sent: bool, attempts: int) -> OutboxMessage:
    return OutboxMessage(
        dedupe_key=key, recipient="someone@example.org", subject="s", body="b", created_at=at,
        sent_at=at if sent else None, attempts=attempts, last_error="refused" if attempts else None,
    )  # fmt: skip


async def seed_operations(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """3 open cases (triage level 0 and 1, retention at the board after repeats), 1 closed;
    an overdue unreviewed review and a signed-off one; open breaches 2 h and 30 min old;
    mail: 2 delivered, 1 queued 20 min ago, 1 failing 5 min ago; two registers."""
    hours = timedelta(hours=1)
    rows: list[Any] = [
        _case("ack-case-NM-1", "triage-attribution", 0, now),
        _case("ack-case-NM-2", "triage-attribution", 1, now),
        _case("ack-case-NM-3", "retention-impact", 5, now),
        _case("ack-case-NM-4", "closed", 0, now, status="closed"),
        _review("ack-review-2026-11-26", "acknowledgment", "generated", now - 30 * hours),
        _review("ack-review-2026-11-27", "acknowledgment", "reviewed", now - 6 * hours),
        _breach("ack-review-2026-11-26", "mark-reviewed", 1, now - 2 * hours),
        _breach("ack-case-NM-2", "triage-attribution", 1, now - hours / 2),
        _breach("ack-case-NM-3", "retention-impact", 4, now - 2 * hours),
        _breach("ack-case-NM-3", "retention-impact", 5, now - hours),
        _mail("a", now - 3 * hours, True, 1),
        _mail("b", now - 2 * hours, True, 2),
        _mail("c", now - hours / 3, False, 0),
        _mail("d", now - hours / 12, False, 3),
    ]
    async with transaction(sessions) as session:
        session.add_all(rows)
        for register, subject in ((REGISTER, "ack-case-NM-1"), (REGISTER, "ack-case-NM-2")):
            await append_entry(
                session, register, actor="E-SUPERVISOR", recorded_at=now, subject=subject,
                kind="triage-attribution", payload={"owner": "E-LEAD"},
            )  # fmt: skip
        await append_entry(
            session, LOG, actor="E-MANAGER", recorded_at=now, subject="ack-case-NM-3",
            kind="recovery-pathway", payload={"plan": "call back"},
        )  # fmt: skip


async def append_case_entry(
    sessions: async_sessionmaker[AsyncSession], now: datetime, subject: str
) -> None:
    """One more entry in ``REGISTER`` (the third, after the seeded two)."""
    async with transaction(sessions) as session:
        await append_entry(
            session, REGISTER, actor="E-SUPERVISOR", recorded_at=now, subject=subject,
            kind="triage-attribution", payload={"owner": "E-LEAD"},
        )  # fmt: skip


async def break_chain(
    sessions: async_sessionmaker[AsyncSession], register: str, seq: int = 1
) -> None:
    """Tamper with entry ``seq`` of ``register`` (its payload no longer matches its hash)."""
    async with transaction(sessions) as session:
        await session.execute(
            update(RegisterEntry)
            .where(RegisterEntry.register == register, RegisterEntry.seq == seq)
            .values(payload={"owner": "someone else"})
        )
