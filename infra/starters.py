"""Start (or find) governance workflows by business key; shared by the API, CLI and schedules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain import names
from domain.calendar import CalendarConfig
from domain.credibility import parse_month
from domain.periodic import PackInput, ReviewInput
from domain.reviews import REVIEWS, review_id


async def _start_once(
    client: Client,
    workflow: str,
    arg: Any,
    reuse: WorkflowIDReusePolicy = WorkflowIDReusePolicy.REJECT_DUPLICATE,
    **options: Any,
) -> WorkflowHandle[Any, Any]:
    """Start under a business-key ID exactly once: a running one is found (USE_EXISTING), and a
    completed one is never run again (REJECT_DUPLICATE) but returned."""
    try:
        return await client.start_workflow(
            workflow,
            arg,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=reuse,
            **options,
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(options["id"])


async def start_review(
    client: Client,
    task_queue: str,
    example: str,
    period: str,
    calendar: CalendarConfig,
    policy_version: str,
    *,
    requested: bool = False,
) -> WorkflowHandle[Any, Any]:
    """Start the review of EXAMPLE for PERIOD (again, if its last run failed or was terminated),
    or return the one already running/complete. REQUESTED: a person asked for it (API, CLI).

    Raises ValueError for a period the example does not accept (monthly reviews take YYYY-MM).
    """
    if REVIEWS[example].period_kind == "month":
        parse_month(period)
    rid = review_id(example, period)
    inp = ReviewInput(
        review_id=rid,
        example=example,
        period=period,
        calendar=calendar,
        policy_version=policy_version,
        requested=requested,
    )
    return await _start_once(
        client,
        names.WF_REVIEW,
        inp,
        # A review that ended without finishing (terminated, failed) may be run again; one that
        # completed never is (its cases are open). Generation is idempotent either way.
        reuse=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        id=rid,
        task_queue=task_queue,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(SearchAttributeKey.for_keyword(names.SA_EXAMPLE), example),
                SearchAttributePair(SearchAttributeKey.for_keyword(names.SA_STAGE), "review"),
            ]
        ),
        rpc_timeout=timedelta(seconds=10),
    )


async def start_pack(
    client: Client, task_queue: str, kind: str, period: str
) -> WorkflowHandle[Any, Any]:
    """Start (or find) the pack workflow of KIND for PERIOD."""
    return await _start_once(
        client,
        names.WF_PACK,
        PackInput(kind=kind, period=period),
        id=names.pack_id(kind, period),
        task_queue=task_queue,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(SearchAttributeKey.for_keyword(names.SA_EXAMPLE), "pack"),
            ]
        ),
        rpc_timeout=timedelta(seconds=10),
    )
