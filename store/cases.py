"""Case projection, timeline and document openings (activities write, the API reads); breaches
are in ``store.breaches``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Insert, and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.cases import CaseInput, ProjectionUpdate, TimelineEvent
from domain.credibility import CASE_PREFIX
from domain.links import ACCEPTANCE
from store.breaches import resolve_breaches
from store.sources import current_records
from store.tables import OPEN, Case, CaseEvent, DocumentOpening, OpenObligation, severity_rank


async def report_employee(session: AsyncSession, reference: str) -> str:
    """The reporting worker's employee ID from the incident platform ('' if unknown)."""
    rows = await current_records(session, "incident-platform", [reference])
    return str(rows.get(reference, {}).get("employee_id", ""))


async def case_reference(session: AsyncSession, subject: str) -> str | None:
    """The report reference of the closed-case (example 3) case ``subject``, for the mails
    that name it by its report; None for anything else, without a read: the other cases' IDs
    carry their report already (``ack-case-NM-1``), and this runs on every mail of every step."""
    if not subject.startswith(CASE_PREFIX):
        return None
    return await session.scalar(select(Case.reference).where(Case.case_id == subject))


async def upsert_projection(session: AsyncSession, p: ProjectionUpdate) -> Case | None:
    """Create or update the case row and append the event once (idempotent on its key); the
    case's row (None when a concurrent projection inserted it and it has not been read here).

    Two projections of one case written at once (an activity retry overlapping its first
    attempt) are serialized on the case row: it is read FOR UPDATE, and a new case is inserted
    with ON CONFLICT DO NOTHING, so on PostgreSQL the second waits for the first and then sees
    its rows (the case, its ``case_open_obligations``) instead of colliding on their keys."""
    case = await session.get(Case, p.case_id, with_for_update=True)
    values: dict[str, Any] = {
        "exposure": p.exposure,
        "stage": p.stage,
        "status": p.status,
        "assigned_role": p.assigned_role,
        "assignee": p.assignee,
        "deadline": p.deadline,
        "escalation_level": p.escalation_level,
        "updated_at": p.at,
        "closed_at": p.closed_at,
        "detail": p.detail,
    }
    if case is None and (inserted := await _insert_case(session, p, values)) is not None:
        await sync_open_obligations(session, inserted, p.detail)
    elif case is None:  # inserted meanwhile by a concurrent projection, now committed
        case = await session.get(Case, p.case_id, with_for_update=True, populate_existing=True)
    if case is not None and case.updated_at <= p.at:
        for name, value in values.items():
            setattr(case, name, value)
        await sync_open_obligations(session, case, p.detail)
    if p.done_obligations:
        await resolve_breaches(session, p.case_id, p.done_obligations, p.at)
    events = [(e.key, e.event) for e in p.earlier_events]
    if p.event is not None and p.event_key is not None:
        events.append((p.event_key, p.event))
    await append_events(session, p.case_id, events)
    await session.flush()
    return case


async def _insert_case(
    session: AsyncSession, p: ProjectionUpdate, values: dict[str, Any]
) -> Case | None:
    """Insert the case's row unless it exists (one statement); its values if this call did."""
    row = _new_case(p, await report_employee(session, p.reference), **values)
    names = [c.key for c in Case.__table__.columns if c.key != "case_id"]
    # Unset columns are left out, so the table's defaults apply.
    columns = {k: v for k in names if (v := getattr(row, k)) is not None}
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Case)
        .values(case_id=p.case_id, **columns)
        .on_conflict_do_nothing(index_elements=["case_id"])
    )
    result = await session.execute(statement)
    return row if getattr(result, "rowcount", 0) else None


async def sync_open_obligations(
    session: AsyncSession, case: Case | None, detail: dict[str, Any] | None
) -> None:
    """Replace the case's ``case_open_obligations`` rows with its projected open list, each
    with the case's own columns that "my work" shows."""
    if case is None:
        return
    case_id = case.case_id
    await session.execute(delete(OpenObligation).where(OpenObligation.case_id == case_id))
    rows: dict[str, OpenObligation] = {}
    for item in (detail or {}).get("open", []):
        key = str(item.get("key", ""))
        if key and key not in rows:
            due = _instant(item.get("deadline"))
            rows[key] = OpenObligation(
                case_id=case_id,
                key=key,
                role=item.get("role") or None,
                assignee=item.get("assignee") or None,
                title=item.get("title"),
                deadline=due,
                case_status=case.status,
                example=case.example,
                reference=case.reference,
                exposure=case.exposure,
                service_line=case.service_line,
                sort_at=due,
                severity_rank=severity_rank(case.exposure),
            )
    accept = rows.get(ACCEPTANCE)
    actions = [r.deadline for k, r in rows.items() if k.startswith("action:") and r.deadline]
    if accept is not None and accept.deadline is not None and actions:
        accept.sort_at = min(accept.deadline, *actions)  # the actions wait for it: it comes first
    session.add_all(rows.values())


def _instant(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) or value is None else datetime.fromisoformat(value)


async def append_events(
    session: AsyncSession, case_id: str, events: list[tuple[str, TimelineEvent]]
) -> None:
    """Add the timeline events whose deduplication keys are not stored yet (a retry adds none)."""
    if not events:
        return
    dialect = (await session.connection()).dialect.name
    await session.execute(events_insert(dialect, case_id, events))


def events_insert(dialect: str, case_id: str, events: list[tuple[str, TimelineEvent]]) -> Insert:
    """The one statement ``append_events`` sends (EVENTS not empty): a key already stored (a
    retry) is skipped by the unique index."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [
        {
            "case_id": case_id,
            "at": event.at,
            "kind": event.kind,
            "actor": event.actor,
            "detail": event.detail,
            "dedupe_key": key,
        }
        for key, event in events
    ]
    return insert(CaseEvent).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"])


async def list_cases(
    session: AsyncSession,
    *,
    example: str | None = None,
    stage: str | None = None,
    exposure: str | None = None,
    overdue_at: datetime | None = None,
    employee_id: str | None = None,
    after: tuple[datetime, str] | None = None,
    limit: int = 500,
) -> list[Case]:
    """Cases filtered as GET /cases allows, newest first (ties by case ID, descending);
    overdue = an open case past its next deadline. ``after`` (opened_at, case_id) of the last
    case of the previous page: keyset paging, so a deep page costs what the first one does."""
    filters: list[ColumnElement[bool]] = []
    if after is not None:
        at, case_id = after
        earlier = or_(Case.opened_at < at, and_(Case.opened_at == at, Case.case_id < case_id))
        filters += [Case.opened_at <= at, earlier]  # the first bounds the index range
    for column, value in ((Case.example, example), (Case.stage, stage),
                          (Case.exposure, exposure), (Case.employee_id, employee_id)):  # fmt: skip
        if value:
            filters.append(column == value)
    if overdue_at is not None:
        return await _overdue(session, filters, overdue_at, limit)
    query = select(Case).where(*filters).order_by(Case.opened_at.desc(), Case.case_id.desc())
    return list((await session.scalars(query.limit(limit))).all())


async def _overdue(
    session: AsyncSession, filters: list[ColumnElement[bool]], at: datetime, limit: int
) -> list[Case]:
    """Open cases past their deadline at ``at``, newest first: the open cases are walked
    newest first (``ix_cases_open_opened_at``, open cases only) and the deadline checked on
    the way, until the page is full; the walk's length is set by how many open cases are
    overdue, never by the closed ones (history). The deadline stays outside a fenced subquery
    (``OFFSET 0``): PostgreSQL estimates "open and past its deadline" at a tenth of the real
    number (the two are correlated) and would otherwise read every overdue case and sort them
    (10,046 at 200k cases: 29-180 ms; the walk reads 980 entries, under 2 ms). The outer query
    keeps the walk's order and adds no ORDER BY of its own (one made PostgreSQL sort every open
    case instead of walking): a filter and a LIMIT over an ordered subquery keep its order on
    SQLite and PostgreSQL (tests/test_overdue_cases.py checks it against a Python oracle)."""
    order = (Case.opened_at.desc(), Case.case_id.desc())
    open_cases = select(Case).where(Case.status == OPEN, *filters).order_by(*order).offset(0)
    walked = aliased(Case, open_cases.subquery())
    query = select(walked).where(walked.deadline < at).limit(limit)
    return list((await session.scalars(query)).all())


async def case_events(session: AsyncSession, case_id: str) -> list[CaseEvent]:
    return list(
        (
            await session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case_id)
                .order_by(CaseEvent.at, CaseEvent.id)
            )
        ).all()
    )


async def record_opening(
    session: AsyncSession, case_id: str, document: str, actor: str, at: datetime
) -> None:
    """Record that a person opened a prerequisite document (proof it was not self-declared)."""
    session.add(DocumentOpening(case_id=case_id, document=document, actor=actor, opened_at=at))
    await session.flush()


async def cases_at_stages(
    session: AsyncSession, example: str, stages: tuple[str, ...]
) -> list[str]:
    return list(
        (
            await session.scalars(
                select(Case.case_id)
                .where(Case.example == example, Case.stage.in_(stages))
                .order_by(Case.case_id)
            )
        ).all()
    )


async def seed_case(session: AsyncSession, inp: CaseInput, employee_id: str) -> None:
    """Create a case's row before its workflow starts (once): an example-3 case's worker need not
    be in the platform feed, so the row names them from the closed-case register."""
    if await session.get(Case, inp.case_id) is not None:
        return
    session.add(
        _new_case(
            inp,
            employee_id,
            exposure=inp.exposure,
            stage="opened",
            status="open",
            escalation_level=0,
            updated_at=inp.opened_at,
            detail={},
        )
    )
    await session.flush()


def _new_case(keys: CaseInput | ProjectionUpdate, employee_id: str, **values: Any) -> Case:
    """A new case row: what names the case from KEYS (its input or first projection), the rest
    from VALUES."""
    return Case(
        case_id=keys.case_id,
        example=keys.example,
        reference=keys.reference,
        review_id=keys.review_id,
        employee_id=employee_id,
        service_line=keys.service_line,
        opened_at=keys.opened_at,
        **values,
    )
