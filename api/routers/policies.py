"""Provider policy settings: each example's thresholds, versioned; the administrator edits them.

A change appends a new version (recorded with its actor and time in the provider-policy-settings
register); reviews generated afterwards pin it, running cases keep the version they were
classified with (SOURCES.md: "provider-configurable, versioned").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ValidationError

from api.authz import Authorized
from api.clock import Now
from api.deps import SessionDep
from api.errors import FieldError, NotFound, Unprocessable
from domain.steps import field_errors
from store.policies import MODELS, policy_versions, save_policy

router = APIRouter(tags=["policies"])

Example = Annotated[str, Path(description=", ".join(MODELS))]


class PolicyVersions(BaseModel):
    """The current rules of an example (the last version) and every version before them."""

    example: str
    current: dict[str, Any]
    versions: list[dict[str, Any]]


def _model(example: str) -> None:
    if example not in MODELS:
        raise NotFound(f"no policy for {example!r}; one of {', '.join(MODELS)}")


@router.get("/policies/{example}")
async def get_policy(example: Example, session: SessionDep, _actor: Authorized) -> PolicyVersions:
    """The example's current policy and its earlier versions (the code's defaults are v1)."""
    _model(example)
    versions = [v.model_dump(mode="json") for v in await policy_versions(session, example)]
    return PolicyVersions(example=example, current=versions[-1], versions=versions)


@router.put("/policies/{example}")
async def put_policy(
    example: Example,
    changes: Annotated[dict[str, Any], Body(description="thresholds to change (not `version`)")],
    session: SessionDep,
    now: Now,
    actor: Authorized,
) -> PolicyVersions:
    """Save a new version with CHANGES (administrator): 422 naming each bad field, and nothing
    saved; reviews generated from now on pin it, running cases keep theirs."""
    _model(example)
    if "version" in changes:
        errors = [FieldError(field="version", message="versions are numbered by the service")]
        raise Unprocessable("invalid policy", errors)
    try:
        await save_policy(session, example, changes, actor=actor.employee_id, at=now)
    except ValidationError as exc:
        errors = [FieldError(field=e.field, message=e.message) for e in field_errors(exc)]
        raise Unprocessable("invalid policy", errors) from None
    return await get_policy(example, session, actor)
