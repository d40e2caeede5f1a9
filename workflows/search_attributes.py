"""The case workflows' search attributes (what operators filter on in the Temporal Web UI)."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.roles import Role

KEY_STAGE = SearchAttributeKey.for_keyword(names.SA_STAGE)
KEY_EXPOSURE = SearchAttributeKey.for_keyword(names.SA_EXPOSURE)
KEY_ASSIGNED_ROLE = SearchAttributeKey.for_keyword(names.SA_ASSIGNED_ROLE)
KEY_CASE_STATUS = SearchAttributeKey.for_keyword(names.SA_CASE_STATUS)
KEY_NEXT_DEADLINE = SearchAttributeKey.for_datetime(names.SA_NEXT_DEADLINE)
KEY_ESCALATED = SearchAttributeKey.for_bool(names.SA_ESCALATED)
KEY_ESCALATION_LEVEL = SearchAttributeKey.for_int(names.SA_ESCALATION_LEVEL)


def stage_attributes(
    stage: str, status: str, exposure: str | None, role: Role | None
) -> list[SearchAttributeUpdate[Any]]:
    """Search-attribute updates for a stage change."""
    pairs: list[SearchAttributeUpdate[Any]] = [
        KEY_STAGE.value_set(stage),
        KEY_CASE_STATUS.value_set(status),
    ]
    if exposure is not None:
        pairs.append(KEY_EXPOSURE.value_set(exposure))
    pairs.append(
        KEY_ASSIGNED_ROLE.value_set(role.value) if role else KEY_ASSIGNED_ROLE.value_unset()
    )
    return pairs
