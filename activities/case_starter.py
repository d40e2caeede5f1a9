"""Open a review's cases: every example's "open cases" activity, and the starts by business key.

Cases are started by an activity, not as child workflows (no pending-children or history-size
limits, and a review's completion does not touch its cases). A business key gets one case,
ever: an existing case is left alone or, where the example wants it, told of a rise in exposure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.client import Client
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.deps import ActivityDeps
from domain import names
from domain.cases import CaseInput, ExposureRaised
from domain.periodic import OpenCasesResult, ReviewedRequest
from store.db import transaction
from store.review_items import set_review_case_ids
from store.tables import ReviewItem

START_CONCURRENCY = 20

# An example's cases for a reviewed review: (the review item's reference, the case's input).
CaseInputs = Callable[[AsyncSession], Awaitable[list[tuple[str, CaseInput]]]]


async def open_review_cases(
    deps: ActivityDeps,
    request: ReviewedRequest,
    workflow: str,
    cases: CaseInputs,
    *,
    raise_exposure: bool,
) -> OpenCasesResult:
    """The one shape of every example's "open cases" activity: in one transaction the review's
    items become case inputs (CASES) and are linked to their case IDs; then each case starts once
    ever (an existing one, where RAISE_EXPOSURE, is told of a rise)."""
    async with transaction(deps.sessions) as session:
        pairs = await cases(session)
        links = {reference: inp.case_id for reference, inp in pairs}
        await set_review_case_ids(session, request.review_id, links)
    inputs = [inp for _, inp in pairs]
    return await start_cases(deps, workflow, inputs, raise_exposure=raise_exposure)


def review_case_input(
    request: ReviewedRequest,
    item: ReviewItem,
    *,
    case_id: str,
    example: str,
    policy_version: str,
    reference: str | None = None,
) -> CaseInput:
    """A case's input from its review item (REFERENCE: the near-miss reference where the item's
    own key is another, e.g. a closed case's)."""
    return CaseInput(
        case_id=case_id,
        example=example,
        reference=reference or item.reference,
        review_id=request.review_id,
        exposure=str(item.classification or ""),
        service_line=str(item.fields.get("service_line")),
        opened_at=request.at,
        calendar=request.calendar,
        policy_version=policy_version,
    )


def case_search_attributes(inp: CaseInput) -> TypedSearchAttributes:
    """Initial search attributes of a case (no employee or client IDs, by design)."""
    keyword = SearchAttributeKey.for_keyword
    return TypedSearchAttributes(
        [
            SearchAttributePair(keyword(names.SA_EXAMPLE), inp.example),
            SearchAttributePair(keyword(names.SA_STAGE), "opened"),
            SearchAttributePair(keyword(names.SA_EXPOSURE), inp.exposure),
            SearchAttributePair(keyword(names.SA_SERVICE_LINE), inp.service_line),
            SearchAttributePair(keyword(names.SA_REFERENCE), inp.reference),
            SearchAttributePair(keyword(names.SA_CASE_STATUS), "open"),
        ]
    )


def temporal_client(deps: ActivityDeps) -> Client:
    """The worker's client (activities that start or signal workflows need one)."""
    if deps.client is None:
        raise ApplicationError("no Temporal client configured", non_retryable=True)
    return deps.client


async def start_cases(
    deps: ActivityDeps, workflow: str, inputs: list[CaseInput], *, raise_exposure: bool
) -> OpenCasesResult:
    """Start each case once ever (retry-safe); count opened, raised and existing ones."""
    client = temporal_client(deps)
    gate = asyncio.Semaphore(START_CONCURRENCY)

    async def one(inp: CaseInput) -> str:
        async with gate:
            activity.heartbeat(inp.case_id)
            try:
                await client.start_workflow(
                    workflow,
                    inp,
                    id=inp.case_id,
                    task_queue=deps.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    search_attributes=case_search_attributes(inp),
                )
                return "opened"
            except WorkflowAlreadyStartedError:
                if not raise_exposure:
                    return "existing"
                return await _raise(client, inp)

    outcomes = await asyncio.gather(*(one(inp) for inp in inputs))
    return OpenCasesResult(
        opened=outcomes.count("opened"),
        raised=outcomes.count("raised"),
        existing=outcomes.count("existing"),
    )


async def _raise(client: Client, inp: CaseInput) -> str:
    """Tell a running case of this review's exposure (it keeps the higher one)."""
    try:
        await client.get_workflow_handle(inp.case_id).signal(
            names.SIGNAL_RAISE_EXPOSURE,
            ExposureRaised(exposure=inp.exposure, review_id=inp.review_id),
        )
        return "raised"
    except Exception:  # noqa: BLE001 - a closed case keeps its record; nothing to raise
        return "existing"
