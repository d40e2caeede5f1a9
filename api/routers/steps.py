"""Acting on a case: open a prerequisite document, submit a step, accept and complete a pathway.

The workflow's validators judge role, stage, prerequisites and reconciliation; the API checks the
token, that the case exists, the body's shape, and what only the database knows (an active owner).
"""

# No ``from __future__ import annotations``: each step's route is built at import time with its
# own body model, and FastAPI must see those annotations as classes, not strings.

from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel

from api import case_actions
from api.authz import Admitted, Authorized
from api.case_actions import ActionNote
from api.deps import TemporalDep
from api.errors import NotFound
from api.guard import BodyFieldsRoute
from api.temporal_calls import IdempotencyKey
from domain.cases import CaseState, StepReceipt
from domain.examples import STEP_SPECS
from domain.steps import StepSpec

router = APIRouter(prefix="/cases", tags=["steps"], route_class=BodyFieldsRoute)


@router.post("/{case_id}/documents/{document}/open", responses={403: {}, 404: {}, 409: {}})
async def open_document(
    case_id: str,
    document: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
) -> dict[str, Any]:
    """Record that you opened a prerequisite document (a step's evidence) and return it."""
    return await case_actions.open_document(request.app, temporal, actor, case_id, document)


def _step_route(spec: StepSpec) -> None:
    """Register ``POST /cases/{case_id}/steps/<slug>`` with the step's own body model."""
    model = spec.fields

    async def submit(
        case_id: str,
        fields: Annotated[model, Body()],  # type: ignore[valid-type]
        request: Request,
        access: Admitted,
        temporal: TemporalDep,
        idempotency_key: IdempotencyKey = None,
    ) -> StepReceipt:
        body = cast(BaseModel, fields)
        return await case_actions.submit_step(
            request.app, temporal, access.actor, spec, case_id, body, idempotency_key, access.case
        )

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
async def unknown_step(step: str, _actor: Authorized) -> None:
    """Any other slug: 404 naming the known ones."""
    raise NotFound(f"no step {step!r}; known: {', '.join(STEP_SPECS)}")


@router.post("/{case_id}/pathway/accept", responses={403: {}, 404: {}, 409: {}})
async def accept_pathway(
    case_id: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> CaseState:
    """The pathway's named owner accepts it (within 1 working day of its authorization)."""
    return await case_actions.accept_pathway(request.app, temporal, actor, case_id, idempotency_key)


@router.post("/{case_id}/pathway/actions/{action}/done", responses={403: {}, 404: {}, 409: {}})
async def action_done(
    case_id: str,
    action: str,
    request: Request,
    actor: Authorized,
    temporal: TemporalDep,
    body: Annotated[ActionNote, Body()],
    idempotency_key: IdempotencyKey = None,
) -> CaseState:
    """The named owner marks one pathway action done (409 if it is not open), saying what was
    done: a missing or blank `note` is a 422 naming it, and nothing is recorded."""
    return await case_actions.complete_action(
        request.app, temporal, actor, case_id, action, body.note, idempotency_key
    )
