"""Case activities: projection, register entries, escalation, closure; the mails they queue are
sent by ``activities.case_mail``.

Every activity is retry-safe: projections are last-writer-wins on the workflow's instant, events
and breaches are deduplicated, register appends check for an identical earlier append.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from activities.case_mail import CaseMail
from domain import names, notices
from domain.calendar import compute_deadline
from domain.cases import (
    CloseRequest,
    EscalationRequest,
    EscalationResult,
    ProjectionUpdate,
    RecordEntryRequest,
    RecordEntryResult,
    RecordStepRequest,
    RecordStepResult,
)
from domain.steps import escalation_roles
from store import breaches as breach_store
from store import cases as case_store
from store import outbox
from store.db import transaction
from store.register_reads import earlier_append, stored_entry
from store.registers import Naming, append_entry
from store.staff import get_staff, staff_with_role
from store.tables import Case


class CaseActivities(CaseMail):
    """Activities shared by every example's case workflows (their mails: ``CaseMail``)."""

    @activity.defn(name=names.ACT_PROJECT_CASE)
    async def project_case(self, update: ProjectionUpdate) -> None:
        """Write the case projection the API, dashboard and packs read."""
        async with transaction(self.deps.sessions) as session:
            await case_store.upsert_projection(session, update)

    @activity.defn(name=names.ACT_RECORD_ENTRY)
    async def record_entry(self, request: RecordEntryRequest) -> RecordEntryResult:
        """Append to a register once: a retried append finds its own earlier entry."""
        async with transaction(self.deps.sessions) as session:
            return await _append_once(session, request)

    @activity.defn(name=names.ACT_RECORD_STEP)
    async def record_step(self, request: RecordStepRequest) -> RecordStepResult:
        """A step's register entry and the case projection in one transaction (retry-safe), and
        the deadlines the request asks for (computed first: pure, no I/O, no lock held).

        The register's head is locked from the append to the commit, and every step of every
        case of the example appends to the same register: so the case's row comes first (its
        own lock, the obligations, the breaches), and only the append (on PostgreSQL one
        statement: the entry, the head's move and the timeline event that names it) and the
        commit are done while the head is held.
        """
        projection = request.projection
        calendar, at = request.calendar, request.entry.at
        deadlines = (
            [compute_deadline(calendar, rule, at) for rule in request.deadline_rules]
            if calendar is not None
            else []
        )
        async with transaction(self.deps.sessions) as session:
            # Held while appending: the session's identity map keeps only what is referenced,
            # and the append reads the case's worker from it instead of the database.
            case = await case_store.upsert_projection(
                session, projection.model_copy(update={"event": None, "event_key": None})
            )
            dialect = (await session.connection()).dialect.name
            step, key = projection.event, projection.event_key

            def timeline(seq: int) -> list[Insert]:
                """The step's timeline event, naming the entry it wrote (sent with it)."""
                if step is None or key is None:
                    return []
                event = step.model_copy(update={"detail": {**step.detail, "seq": seq}})
                return [case_store.events_insert(dialect, projection.case_id, [(key, event)])]

            result = await _append_once(session, request.entry, timeline)
            del case
        return RecordStepResult(**result.model_dump(), deadlines=deadlines)

    @activity.defn(name=names.ACT_ESCALATE)
    async def escalate_breach(self, request: EscalationRequest) -> EscalationResult:
        """Record the breach and queue a mail to everyone the level names (SOURCES.md policy)."""
        async with transaction(self.deps.sessions) as session:
            recorded = await breach_store.record_breach(
                session,
                request.case_id,
                request.obligation,
                request.deadline,
                request.level,
                request.at,
            )
            recipients = await self._recipients(session, request)
            reference = await case_store.case_reference(session, request.case_id)
            mail_cfg = self.deps.mail
            ids = []
            for employee_id, email in recipients:
                ids.append(
                    await outbox.queue_message(
                        session,
                        dedupe_key=f"breach:{request.case_id}:{request.obligation}:"
                        f"{request.deadline.isoformat()}:{request.level}:{employee_id}",
                        recipient=email,
                        subject=notices.breach_subject(request, reference),
                        body=notices.breach_body(
                            request, mail_cfg.public_url, mail_cfg.timezone, reference
                        ),
                        at=request.at,
                    )
                )
        return EscalationResult(
            breach_recorded=recorded, notified=[e for e, _ in recipients], message_ids=ids
        )

    async def _recipients(self, session: Any, request: EscalationRequest) -> list[tuple[str, str]]:
        people: dict[str, str] = {}
        if request.assignee:
            owner = await get_staff(session, request.assignee)
            if owner is not None and owner.active and owner.left_at is None:
                people[owner.employee_id] = owner.email
        for role in escalation_roles(request.example, request.role, request.level):
            for member in await staff_with_role(session, role):
                people[member.employee_id] = member.email
        return sorted(people.items())

    @activity.defn(name=names.ACT_CLOSE_CASE)
    async def close_case(self, request: CloseRequest) -> list[int]:
        """Record the closure and queue the worker's employee confirmation request."""
        async with transaction(self.deps.sessions) as session:
            case = await session.get(Case, request.case_id)
            employee_id = case.employee_id if case else ""
            if await stored_entry(session, subject=request.case_id, kind="case_closed") is None:
                await append_entry(
                    session,
                    request.register_name,
                    actor="system",
                    recorded_at=request.at,
                    subject=request.case_id,
                    kind="case_closed",
                    payload={
                        "reference": request.reference,
                        "closure_category": request.category,
                        "final_reviewing_role": request.final_reviewing_role,
                        "employee_id": employee_id,
                    },
                )
            return await outbox.ask_worker(
                session,
                employee_id,
                notices.confirmation_link(self.deps.mail.public_url, request.case_id),
                dedupe_key=f"confirmation:{request.case_id}",
                subject=notices.confirmation_subject(request.reference),
                body=lambda name, page: notices.confirmation_body(
                    request.reference, request.category, name, page
                ),
                at=request.at,
            )


async def _append_once(
    session: AsyncSession, request: RecordEntryRequest, then: Naming | None = None
) -> RecordEntryResult:
    """Append an entry unless this very append is already there: the same request (its
    ``request_id``, the Update ID, when the payload carries one: a workflow task retried after a
    worker crash runs at a later instant) or the same register, subject, kind, instant and actor.
    The subject's reporting worker is added for later look-ups."""
    request_id = request.payload.get("request_id")
    found = await earlier_append(
        session,
        register=request.register_name,
        subject=request.subject,
        kind=request.kind,
        recorded_at=request.at,
        actor=request.actor,
        request_id=request_id if isinstance(request_id, str) else None,
    )
    if found is not None:
        for statement in then(found.seq) if then is not None else []:
            await session.execute(statement)  # stored with it: each finds itself
        return RecordEntryResult(register_name=found.register, seq=found.seq, hash=found.hash)
    payload = dict(request.payload)
    case = await session.get(Case, request.subject)  # no query when the projection read it
    if case is not None:
        payload.setdefault("employee_id", case.employee_id)
    entry = await append_entry(
        session,
        request.register_name,
        actor=request.actor,
        recorded_at=request.at,
        subject=request.subject,
        kind=request.kind,
        payload=payload,
        then=then,
    )
    return RecordEntryResult(register_name=entry.register, seq=entry.seq, hash=entry.hash)
