"""Acting on a case: open a prerequisite document, submit a step, accept and complete a pathway.

The workflow's validators judge role, stage, prerequisites and reconciliation; the API checks the
token, that the case exists, the body's shape, and what only the database knows (an active owner).
"""

# No ``from __future__ import annotations``: each step's route is built at import time with its
# own body model, and FastAPI must see those annotations as classes, not strings.

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import (
    Actor,
    CurrentActor,
    SettingsDep,
    TemporalDep,
    require_roles,
)
from api.errors import Conflict, FieldError, NotFound, Unprocessable
from api.guard import GuardedRoute
from api.routers.cases import get_case
from api.temporal_calls import IdempotencyKey, case_actor, execute_update
from domain import acknowledgment_steps, closure_steps, learning_steps, names
from domain.cases import (
    ActionDone,
    CaseState,
    DocumentOpened,
    PathwayAcceptance,
    StepReceipt,
    StepSubmission,
)
from domain.examples import EXAMPLE_DOCUMENTS
from domain.roles import GOVERNANCE_ROLES
from domain.settings import Settings
from domain.steps import StepSpec
from store.cases import record_opening
from store.db import transaction
from store.documents import UnknownDocument, build_document
from store.registers import find_request
from store.staff import get_staff
from store.tables import Case

# Every example's steps, by slug (slugs are unique across examples).
STEP_SPECS: dict[str, StepSpec] = {
    **acknowledgment_steps.STEPS,
    **learning_steps.STEPS,
    **closure_steps.STEPS,
}
OWNER_SUFFIX = "_owner_id"  # a field naming the person who will own a pathway: must be staff


class BodyFieldsRoute(GuardedRoute):
    """Body validation errors name the field as the workflow does (``note``, not ``body.note``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise Unprocessable("invalid fields", [_field(e) for e in exc.errors()]) from exc

        return handle


def _field(error: Any) -> FieldError:
    loc = [str(part) for part in error["loc"]]
    if loc and loc[0] == "body":
        loc = loc[1:]
    return FieldError(field=".".join(loc) or "body", message=str(error["msg"]))


router = APIRouter(prefix="/cases", tags=["steps"], route_class=BodyFieldsRoute)
GovernanceActor = Annotated[Actor, Depends(require_roles(*GOVERNANCE_ROLES))]


def _open(case: Case) -> None:
    if case.status != "open":
        raise Conflict(f"case {case.case_id} is {case.status}")


async def _open_case(request: Request, case_id: str) -> None:
    """404 unless the case exists, 409 unless it is open (a short read, before any Update)."""
    async with transaction(request.app.state.sessions) as session:
        _open(await get_case(session, case_id))


@router.post("/{case_id}/documents/{document}/open", responses={404: {}, 409: {}})
async def open_document(
    case_id: str,
    document: str,
    request: Request,
    actor: GovernanceActor,
    temporal: TemporalDep,
) -> dict[str, Any]:
    """Record that you opened a prerequisite document (a step's evidence) and return it."""
    async with transaction(request.app.state.sessions) as session:
        case = await get_case(session, case_id)
        if document not in EXAMPLE_DOCUMENTS.get(case.example, frozenset()):
            raise NotFound(f"no document {document!r} for a {case.example} case")
        try:
            body = await build_document(
                session,
                document,
                reference=case.reference,
                review_id=case.review_id,
                case_id=case_id,
            )
        except UnknownDocument as exc:
            raise NotFound(f"no document {document!r}") from exc
        await record_opening(session, case_id, document, actor.employee_id, datetime.now(UTC))
    # Stored first: the workflow only learns of openings that are on record.
    if case.status == "open":
        await execute_update(
            temporal,
            case_id,
            names.UPDATE_OPEN_DOCUMENT,
            DocumentOpened(document=document, actor=case_actor(actor)),
            result_type=list[str],
        )
    return body


async def _check_owners(session: AsyncSession, settings: Settings, fields: BaseModel) -> None:
    """422 on each ``*_owner_id`` field that does not name a current staff member."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    errors = []
    for name in type(fields).model_fields:
        if not name.endswith(OWNER_SUFFIX):
            continue
        owner_id = str(getattr(fields, name))
        member = await get_staff(session, owner_id)
        if member is None or not member.is_current(today):
            errors.append(FieldError(field=name, message=f"{owner_id!r} is not active staff"))
    if errors:
        raise Unprocessable("invalid fields", errors)


async def _answered(
    session: AsyncSession, spec: StepSpec, case_id: str, key: str | None, actor: Actor
) -> StepReceipt | None:
    """The first answer to a keyed submission, read back from its register entry.

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


def _step_route(spec: StepSpec) -> None:
    """Register ``POST /cases/{case_id}/steps/<slug>`` with the step's own body model."""
    model = spec.fields

    async def submit(
        case_id: str,
        fields: Annotated[model, Body()],  # type: ignore[valid-type]
        request: Request,
        actor: CurrentActor,
        settings: SettingsDep,
        temporal: TemporalDep,
        idempotency_key: IdempotencyKey = None,
    ) -> StepReceipt:
        sessions = request.app.state.sessions
        body = cast(BaseModel, fields)
        # Reads in a short transaction, committed before the Update: no pool connection waits
        # on Temporal (with 50 submissions in flight the pool would otherwise run dry).
        async with transaction(sessions) as session:
            case = await get_case(session, case_id)
            if case.example != spec.example:
                raise NotFound(f"case {case_id} ({case.example}) has no step {spec.slug!r}")
            if case.status != "open":
                if done := await _answered(session, spec, case_id, idempotency_key, actor):
                    return done
            _open(case)
            await _check_owners(session, settings, body)
        submission = StepSubmission(
            step=spec.slug, actor=case_actor(actor), fields=body.model_dump(mode="json")
        )
        try:
            return await execute_update(
                temporal,
                case_id,
                names.UPDATE_SUBMIT_STEP,
                submission,
                result_type=StepReceipt,
                key=idempotency_key,
            )
        except Conflict:  # the case closed meanwhile, perhaps by this very request's first try
            async with transaction(sessions) as session:
                done = await _answered(session, spec, case_id, idempotency_key, actor)
            if done:
                return done
            raise

    role = spec.role.value if spec.role else "the case's named owner"
    router.add_api_route(
        f"/{{case_id}}/steps/{spec.slug}",
        submit,
        methods=["POST"],
        name=f"submit_{spec.slug.replace('-', '_')}",
        summary=f"Submit: {spec.title}",
        description=(
            f"Role: `{role}`. Prerequisite documents (open each first): "
            f"{', '.join(spec.prerequisites) or 'none'}. Recorded in the `{spec.register}`. "
            "200 accepted; 403 wrong role; 404 no such case; 409 wrong stage or a prerequisite "
            "not opened; 422 invalid or unreconciled fields (each named)."
        ),
        responses={403: {}, 404: {}, 409: {}, 422: {}},
    )


for _spec in STEP_SPECS.values():
    _step_route(_spec)


@router.post("/{case_id}/steps/{step}", include_in_schema=False)
async def unknown_step(step: str, _actor: CurrentActor) -> None:
    """Any other slug: 404 naming the known ones."""
    raise NotFound(f"no step {step!r}; known: {', '.join(STEP_SPECS)}")


class ActionNote(BaseModel):
    note: Annotated[str, Field(max_length=5_000)] | None = None


@router.post("/{case_id}/pathway/accept", responses={403: {}, 404: {}, 409: {}})
async def accept_pathway(
    case_id: str,
    request: Request,
    actor: CurrentActor,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> CaseState:
    """The pathway's named owner accepts it (within 1 working day of its authorization)."""
    await _open_case(request, case_id)
    return await execute_update(
        temporal,
        case_id,
        names.UPDATE_ACCEPT_PATHWAY,
        PathwayAcceptance(actor=case_actor(actor)),
        result_type=CaseState,
        key=idempotency_key,
    )


@router.post("/{case_id}/pathway/actions/{action}/done", responses={403: {}, 404: {}, 409: {}})
async def action_done(
    case_id: str,
    action: str,
    request: Request,
    actor: CurrentActor,
    temporal: TemporalDep,
    body: Annotated[ActionNote | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> CaseState:
    """The named owner marks one pathway action done (409 if it is not open)."""
    await _open_case(request, case_id)
    done = ActionDone(action=action, actor=case_actor(actor), note=body.note if body else None)
    return await execute_update(
        temporal,
        case_id,
        names.UPDATE_COMPLETE_ACTION,
        done,
        result_type=CaseState,
        key=idempotency_key,
    )
