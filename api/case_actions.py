"""Acting on a case, shared by the API routes and the pages: open a document, submit a step,
accept a pathway, mark an action done. One code path, so a page and the API never disagree.

Each function checks what only the database knows (the case exists and is open, an owner is
active staff), then sends the workflow its Update; the workflow's validators judge the rest.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.clock import app_now
from api.deps import Actor
from api.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from api.idempotency import check_key, fingerprint, keyed_update, keyed_update_id, record_key
from api.temporal_calls import case_actor, execute_update, query
from config.settings import Settings
from domain import names
from domain.cases import (
    ActionDone,
    CaseState,
    DocumentOpened,
    PathwayAcceptance,
    StepReceipt,
    StepSubmission,
)
from domain.examples import EXAMPLE_DOCUMENTS
from domain.openings import may_open, refusal
from domain.roles import PATHWAY_OWNER_ROLES
from domain.steps import StepSpec
from store.cases import record_opening
from store.db import transaction
from store.documents import UnknownDocument, build_document, entry_ids
from store.register_reads import find_request
from store.staff import StaffMember, get_staff
from store.tables import Case

OWNER_SUFFIX = "_owner_id"  # a field naming the person who will own a pathway: must be staff


class ActionNote(BaseModel):
    """What the named owner says was done when marking a pathway action done: required, as the
    action's evidence (step 4 validates that the actions were completed in full)."""

    note: Annotated[
        str,
        Field(
            min_length=1,
            max_length=5_000,
            description="What was done, recorded with the action as its evidence",
        ),
    ]

    @field_validator("note", mode="before")
    @classmethod
    def _trimmed(cls, value: Any) -> Any:
        """Spaces alone say nothing: trimmed, they are refused as an empty note."""
        return value.strip() if isinstance(value, str) else value


async def get_case(session: AsyncSession, case_id: str) -> Case:
    """The case row; 404 when there is no such case."""
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id!r}")
    return case


def ensure_open(case: Case) -> None:
    """409 unless the case is still open."""
    if case.status != "open":
        raise Conflict(f"case {case.case_id} is {case.status}")


async def open_case(app: FastAPI, case_id: str) -> Case:
    """404 unless the case exists, 409 unless it is open (a short read, before any Update)."""
    async with transaction(app.state.sessions) as session:
        case = await get_case(session, case_id)
    ensure_open(case)
    return case


def read_document_check(case: Case, document: str) -> None:
    """404 when ``case``'s example has no document ``document``."""
    if document not in EXAMPLE_DOCUMENTS.get(case.example, frozenset()):
        raise NotFound(f"no document {document!r} for a {case.example} case")


async def read_document(session: AsyncSession, case: Case, document: str) -> dict[str, Any]:
    """Document ``document`` of ``case`` (read-only); 404 when the example has no such document."""
    read_document_check(case, document)
    try:
        return await build_document(
            session,
            document,
            reference=case.reference,
            review_id=case.review_id,
            case_id=case.case_id,
        )
    except UnknownDocument as exc:
        raise NotFound(f"no document {document!r}") from exc


async def open_document(
    app: FastAPI, temporal: Client, actor: Actor, case_id: str, document: str
) -> dict[str, Any]:
    """Record that ``actor`` opened ``document`` (a step's prerequisite) and return it.

    Only the submitter of an open step that needs the document opens it (``domain.openings``):
    403 for anyone else, 409 for the submitter while the step is not open; nothing is recorded.
    Stored first, then told to the workflow: it only learns of openings that are on record.
    Opening again records again and is harmless (the workflow keeps each document once).
    """
    async with transaction(app.state.sessions) as session:
        case = await get_case(session, case_id)
    read_document_check(case, document)
    ensure_open(case)
    state = await query(temporal, case_id, names.QUERY_STATE, result_type=CaseState)
    verdict = may_open(state, case_actor(actor), document)
    if not verdict.allowed:
        reason = f"{refusal(verdict, document)}; nothing was recorded"
        raise Conflict(reason) if verdict.their_step else Forbidden(reason)
    async with transaction(app.state.sessions) as session:
        body = await read_document(session, case, document)
        await record_opening(session, case_id, document, actor.employee_id, await app_now(app))
    await execute_update(
        temporal,
        case_id,
        names.UPDATE_OPEN_DOCUMENT,
        DocumentOpened(document=document, actor=case_actor(actor), entries=entry_ids(body)),
        result_type=list[str],
    )
    return body


def owner_refusal(member: StaffMember | None, owner_id: str, today: date, case: Case) -> str:
    """Why ``member`` may not own ``case``'s pathway ("" when they may): current staff in a
    role that owns pathways (``PATHWAY_OWNER_ROLES``), never the worker who reported it."""
    if member is None or not member.is_current(today):
        return f"Please choose someone from the list: {owner_id} is not a current member of staff"
    if not member.roles & PATHWAY_OWNER_ROLES:
        return (
            f"Please choose someone else: {member.display_name} ({owner_id}) holds no role "
            "that owns a pathway"
        )
    if case.employee_id == owner_id:
        return (
            f"Please choose someone else: {member.display_name} ({owner_id}) reported this "
            "near miss"
        )
    return ""


async def check_owners(
    session: AsyncSession, settings: Settings, now: datetime, fields: BaseModel, case: Case
) -> None:
    """422 on each ``*_owner_id`` field that does not name someone who may own the pathway."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    errors = []
    for name in type(fields).model_fields:
        if not name.endswith(OWNER_SUFFIX):
            continue
        owner_id = str(getattr(fields, name))
        member = await get_staff(session, owner_id)
        if why := owner_refusal(member, owner_id, today, case):
            errors.append(FieldError(field=name, message=why))
    if errors:
        raise Unprocessable("invalid fields", errors)


async def answered(
    session: AsyncSession, spec: StepSpec, case_id: str, key: str | None, actor: Actor
) -> StepReceipt | None:
    """The first answer to a keyed submission, read back from its register entry (``key`` is
    the submission's Update ID, ``keyed_update_id``).

    Temporal answers a retried Update itself only while the workflow runs; a submission that
    closed the case is answered here instead, so its retry gets 200 and the same receipt.
    """
    if key is None:
        return None
    entry = await find_request(session, spec.register, case_id, key)
    if entry is None or entry.kind != spec.slug.replace("-", "_"):
        return None
    if entry.actor != actor.employee_id:  # a key answers only the person who sent it
        return None
    return StepReceipt(
        case_id=case_id,
        step=spec.slug,
        accepted_at=entry.recorded_at,
        late=bool(entry.payload.get("late")),
        register_name=entry.register,
        entry_seq=entry.seq,
    )


async def submit_step(
    app: FastAPI,
    temporal: Client,
    actor: Actor,
    spec: StepSpec,
    case_id: str,
    body: BaseModel,
    key: str | None,
    admitted: Case | None = None,
) -> StepReceipt:
    """Submit ``body`` (already valid for ``spec.fields``) as step ``spec``; ``key`` dedupes.
    ``admitted``: the case as ``api.authz.authorize`` read it for this request (else read here)."""
    sessions = app.state.sessions
    submission = StepSubmission(
        step=spec.slug, actor=case_actor(actor), fields=body.model_dump(mode="json")
    )
    request_print = fingerprint(case_id, names.UPDATE_SUBMIT_STEP, submission)
    update_key = keyed_update_id(key, request_print)
    # Reads in one short transaction, committed before the Update: no pool connection waits on
    # Temporal (with 50 submissions in flight the pool would otherwise run dry).
    async with transaction(sessions) as session:
        await check_key(app, key, request_print, session)
        case = admitted or await get_case(session, case_id)
        if case.example != spec.example:
            raise NotFound(f"case {case_id} ({case.example}) has no step {spec.slug!r}")
        if case.status != "open":
            if done := await answered(session, spec, case_id, update_key, actor):
                return done
        ensure_open(case)
        await check_owners(session, app.state.settings, await app_now(app), body, case)
    try:
        receipt = await execute_update(
            temporal,
            case_id,
            names.UPDATE_SUBMIT_STEP,
            submission,
            result_type=StepReceipt,
            key=update_key,
        )
    except Conflict:  # the case closed meanwhile, perhaps by this very request's first try
        async with transaction(sessions) as session:
            done = await answered(session, spec, case_id, update_key, actor)
        if done:
            return done
        raise
    await record_key(app, key, request_print)
    return receipt


async def accept_pathway(
    app: FastAPI, temporal: Client, actor: Actor, case_id: str, key: str | None
) -> CaseState:
    """The pathway's named owner accepts it (the workflow judges who and when)."""
    await open_case(app, case_id)
    return await keyed_update(
        app,
        temporal,
        case_id,
        names.UPDATE_ACCEPT_PATHWAY,
        PathwayAcceptance(actor=case_actor(actor)),
        result_type=CaseState,
        key=key,
    )


async def complete_action(
    app: FastAPI,
    temporal: Client,
    actor: Actor,
    case_id: str,
    action: str,
    note: str,
    key: str | None,
) -> CaseState:
    """The named owner marks one pathway action done (409 if it is not open)."""
    await open_case(app, case_id)
    done = ActionDone(action=action, actor=case_actor(actor), note=note)
    return await keyed_update(
        app,
        temporal,
        case_id,
        names.UPDATE_COMPLETE_ACTION,
        done,
        result_type=CaseState,
        key=key,
    )
