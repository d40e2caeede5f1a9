"""A worker's own forms: speaking-up confidence and employee confirmation of a closed case.

Both land in their feeds (SOURCES.md) exactly as if a provider had pushed them, so every reader
of those feeds sees web answers and imported ones alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from api.authz import Authorized
from api.clock import Now
from api.deps import Actor, SessionDep
from api.errors import FieldError, Forbidden, NotFound, Unprocessable
from api.guard import BodyFieldsRoute
from domain.feeds import RiskDomain
from domain.ingest import validate_rows
from store.sources import current_records, upsert_records
from store.staff import get_staff
from store.tables import Case
from store.worker_closures import confirmation_key

router = APIRouter(prefix="/forms", tags=["forms"], route_class=BodyFieldsRoute)

CONFIDENCE_FEED = "speaking-up-confidence-form"
CONFIRMATION_FEED = "employee-confirmation-form"
CLOSED_CASES_FEED = "closed-case-register"

OwnId = Annotated[str | None, Field(description="your own employee ID (defaults to it)")]


class ConfidenceAnswer(BaseModel):
    """A speaking-up confidence answer; the server fills what is left out."""

    model_config = ConfigDict(extra="forbid")
    score: Annotated[int, Field(strict=True, ge=1, le=5, description="1 (not at all) … 5 (fully)")]
    risk_domain: RiskDomain
    service_line: str | None = Field(None, description="defaults to yours in the staff directory")
    comment: Annotated[str, Field(max_length=10_000)] | None = None
    employee_id: OwnId = None
    response_id: str | None = Field(
        None, description="assigned by the server; send it back only to amend your own answer"
    )
    submitted_at: AwareDatetime | None = None


class ConfirmationAnswer(BaseModel):
    """Whether the worker confirms their closed case was resolved for them."""

    model_config = ConfigDict(extra="forbid")
    case_ref: Annotated[str, Field(min_length=1, max_length=160)]
    confirmed: Annotated[bool, Field(strict=True)]
    comment: Annotated[str, Field(max_length=10_000)] | None = None
    employee_id: OwnId = None
    responded_at: AwareDatetime | None = None


class FormStored(BaseModel):
    feed: str
    key: str
    record: dict[str, Any]


def _own(actor: Actor, employee_id: str | None) -> str:
    if employee_id is not None and employee_id != actor.employee_id:
        raise Forbidden("you may only answer forms as yourself")
    return actor.employee_id


async def _store(
    session: AsyncSession, feed: str, key: str, row: dict[str, Any], now: datetime
) -> FormStored:
    """Validate against the feed contract (422 naming fields) and upsert (idempotent)."""
    records, rejections = validate_rows(feed, [row])
    if rejections:
        errors = [FieldError(field=e.field, message=e.message) for e in rejections[0].errors]
        raise Unprocessable("invalid form", errors)
    await upsert_records(session, feed, records, now)
    return FormStored(feed=feed, key=key, record=records[0].model_dump(mode="json"))


async def _own_answer(
    session: AsyncSession, response_id: str, employee_id: str, *, must_exist: bool
) -> None:
    """404 unless RESPONSE_ID is EMPLOYEE_ID's answer (or, unless MUST_EXIST, no answer yet);
    another person's answer is not told apart from a missing one."""
    found = await current_records(session, CONFIDENCE_FEED, [response_id])
    owner = found.get(response_id, {}).get("employee_id")
    if owner == employee_id or (owner is None and not must_exist):
        return
    raise NotFound(f"no answer of yours with response_id {response_id!r}")


async def store_confidence(
    session: AsyncSession,
    actor: Actor,
    answer: ConfidenceAnswer,
    now: datetime,
    response_id: str | None = None,
) -> FormStored:
    """The one path of a speaking-up answer (API and page): yours only, feed-validated, stored.

    A page passes ``response_id`` (from its form's Idempotency-Key); else one is made up."""
    employee_id = _own(actor, answer.employee_id)
    if answer.response_id is not None:  # amending: only an answer of one's own
        await _own_answer(session, answer.response_id, employee_id, must_exist=True)
    elif response_id is not None:  # a page's key: new, or the same person's retry
        await _own_answer(session, response_id, employee_id, must_exist=False)
    row = answer.model_dump(mode="json", exclude_none=True)
    row["employee_id"] = employee_id
    row.setdefault("response_id", response_id or f"web-{uuid.uuid4()}")
    row.setdefault("submitted_at", now.isoformat())
    if "service_line" not in row:
        member = await get_staff(session, employee_id)
        if member is not None and member.service_line:
            row["service_line"] = member.service_line
    return await _store(session, CONFIDENCE_FEED, row["response_id"], row, now)


@router.post("/speaking-up-confidence", responses={403: {}, 404: {}, 422: {}})
async def speaking_up_confidence(
    answer: ConfidenceAnswer, actor: Authorized, session: SessionDep, now: Now
) -> FormStored:
    """Record or amend your own speaking-up confidence score (any frontline worker, about
    themselves; not only those who reported). The server assigns ``response_id``: send it back
    to amend your answer (404 for any other). Stored in the speaking-up confidence feed."""
    return await store_confidence(session, actor, answer, now)


async def case_reporter(session: AsyncSession, case_ref: str) -> str:
    """The reporting worker of a case (cases table, else the closed-case register); 404 if none."""
    case = await session.get(Case, case_ref)
    if case is not None:
        return case.employee_id
    closed = await current_records(session, CLOSED_CASES_FEED, [case_ref])
    if case_ref in closed:
        return str(closed[case_ref].get("employee_id", ""))
    raise NotFound(f"no case {case_ref!r}")


async def check_confirmer(session: AsyncSession, actor: Actor, case_ref: str) -> None:
    """Only the reporting worker of the case may confirm it (404 unknown case, else 403)."""
    if await case_reporter(session, case_ref) != actor.employee_id:
        raise Forbidden("you may only answer for a case you reported")


async def store_confirmation(
    session: AsyncSession, actor: Actor, answer: ConfirmationAnswer, now: datetime
) -> FormStored:
    """The one path of an employee confirmation (API and page): the case's reporter only."""
    employee_id = _own(actor, answer.employee_id)
    await check_confirmer(session, actor, answer.case_ref)
    row = answer.model_dump(mode="json", exclude_none=True)
    # A repair's re-closure is answered about the closed case it repairs (one answer each).
    row["case_ref"] = confirmation_key(answer.case_ref)
    row["employee_id"] = employee_id
    row.setdefault("responded_at", now.isoformat())
    return await _store(session, CONFIRMATION_FEED, row["case_ref"], row, now)


@router.post("/employee-confirmation", responses={403: {}, 404: {}, 422: {}})
async def employee_confirmation(
    answer: ConfirmationAnswer, actor: Authorized, session: SessionDep, now: Now
) -> FormStored:
    """Confirm (or not) that your closed case was resolved; only for a case you reported."""
    return await store_confirmation(session, actor, answer, now)
