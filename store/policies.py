"""Provider policy settings: each example's thresholds, versioned in an append-only register.

The defaults in code are version 1 of each policy. An administrator's change appends a new
version (``…-v2``, ``…-v3``) to the ``provider-policy-settings`` register (hash-chained, with its
actor and time); a review pins the version current when it is generated, and later steps look
their rules up by that version, so a change never moves a running case.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acknowledgment import AckPolicy
from domain.credibility import CredibilityPolicy
from domain.learning import LearningPolicy
from domain.names import EXAMPLE_ACKNOWLEDGMENT, EXAMPLE_CREDIBILITY, EXAMPLE_LEARNING
from store.register_reads import entries
from store.registers import append_entry

POLICY_REGISTER = "provider-policy-settings"
POLICY_KIND = "policy_version"
MODELS: dict[str, type[BaseModel]] = {
    EXAMPLE_ACKNOWLEDGMENT: AckPolicy,
    EXAMPLE_LEARNING: LearningPolicy,
    EXAMPLE_CREDIBILITY: CredibilityPolicy,
}
P = TypeVar("P", bound=BaseModel)
_VERSION = re.compile(r"^(.*)-v(\d+)$")


async def policy_versions(session: AsyncSession, example: str) -> list[BaseModel]:
    """Every version of EXAMPLE's policy, oldest (the code's default) first."""
    model = MODELS[example]
    saved = await entries(session, POLICY_REGISTER, subject=example)
    return [model(), *(model.model_validate(e.payload["policy"]) for e in saved)]


async def current_policy(session: AsyncSession, model: type[P]) -> P:
    """The policy a review generated now pins: the latest version saved (or the default)."""
    example = next(k for k, v in MODELS.items() if v is model)
    latest = (await policy_versions(session, example))[-1]
    assert isinstance(latest, model)
    return latest


async def policy_by_version(session: AsyncSession, model: type[P], version: str) -> P | None:
    """The policy saved under VERSION (None if no such version)."""
    example = next(k for k, v in MODELS.items() if v is model)
    for policy in await policy_versions(session, example):
        if getattr(policy, "version", None) == version:
            assert isinstance(policy, model)
            return policy
    return None


def _next_version(current: str) -> str:
    match = _VERSION.match(current)
    prefix, number = (match[1], int(match[2])) if match else (current, 1)
    return f"{prefix}-v{number + 1}"


async def save_policy(
    session: AsyncSession, example: str, changes: dict[str, Any], *, actor: str, at: datetime
) -> BaseModel:
    """Append a new version with CHANGES applied (pydantic ValidationError if invalid)."""
    model = MODELS[example]
    current = (await policy_versions(session, example))[-1]
    merged = {**current.model_dump(mode="json"), **changes}
    merged["version"] = _next_version(str(getattr(current, "version", "")))
    policy = model.model_validate(merged)
    await append_entry(
        session,
        POLICY_REGISTER,
        actor=actor,
        recorded_at=at,
        subject=example,
        kind=POLICY_KIND,
        payload={"policy": policy.model_dump(mode="json"), "changes": sorted(changes)},
    )
    return policy
